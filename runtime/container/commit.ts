import type { Instruction } from "../../compiler/dockerfile/ast.ts";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { ContainerConfig } from "../../compiler/ir/image-config.ts";
import { applyConfig } from "../../compiler/lower/config.ts";
import { Expander, Scope } from "../../compiler/lower/scope.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { writeLayer } from "../layer/write-layer.ts";
import type { Descriptor } from "../store/content-store.ts";
import { type ImageConfigJson, type ManifestJson, MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { ContainerUsageError } from "./create.ts";
import { frozen } from "./rootfs.ts";
import { containerSnapshotter } from "./snapshotter.ts";
import { type ContainerRecord, ContainerPaths, loadImageConfig } from "./state.ts";

export interface CommitOptions {
  readonly message?: string | undefined;
  readonly author?: string | undefined;
  /** `-c` Dockerfile instructions applied to the new image's config. */
  readonly changes?: readonly string[];
  /** Pause the container (runc pause) while its upper dir is written; default true, as docker. */
  readonly pause?: boolean;
  /** REPO[:TAG] to name the new image. */
  readonly ref?: string | undefined;
}

export interface CommitResult {
  /** The image ID: sha256 of its config. */
  readonly imageId: string;
  readonly manifest: Descriptor;
}

/** The instructions `commit -c` takes (docker's list). */
const COMMIT_CHANGES = new Set(["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR"]);

/** Parses one `-c` value as a Dockerfile instruction (after a `FROM scratch`), with the parser's own diagnostics. */
export function parseChange(text: string): Instruction {
  const parsed = parseDockerfile(new SourceFile("-c", `FROM scratch\n${text}\n`));
  const error = parsed.diagnostics.find((d) => d.severity === "error");
  if (error !== undefined) throw new ContainerUsageError(`invalid -c "${text}": ${error.message}`);
  const instr = parsed.instructions.slice(1);
  if (instr.length !== 1) throw new ContainerUsageError(`invalid -c "${text}": give exactly one instruction`);
  const kind = (instr[0] as Instruction).kind;
  if (!COMMIT_CHANGES.has(kind)) throw new ContainerUsageError(`-c ${kind} is not supported by commit; use one of ${[...COMMIT_CHANGES].join(", ")}`);
  return instr[0] as Instruction;
}

/** The new image's config: the image's, with what the container was run with (as docker's commit), then the `-c` changes. */
export function commitConfig(base: ContainerConfig, rec: ContainerRecord, changes: readonly string[]): ContainerConfig {
  let config: ContainerConfig = {
    ...base,
    Env: [...rec.env],
    Cmd: rec.cmd === null ? null : [...rec.cmd],
    Entrypoint: rec.entrypoint === null ? null : [...rec.entrypoint],
    WorkingDir: rec.workdir === "/" && !base.WorkingDir ? base.WorkingDir : rec.workdir,
    User: rec.user || base.User,
  };
  let cmdSet = false;
  const ex = new Expander("-c");
  for (const text of changes) {
    const instr = parseChange(text);
    const scope = new Scope(config.Env ?? [], new Map(), "\\");
    const change = applyConfig(instr, config, scope, ex, cmdSet);
    if (ex.diagnostics.length > 0) throw new ContainerUsageError(`invalid -c "${text}": ${ex.diagnostics[0]?.message}`);
    if (change === undefined) throw new ContainerUsageError(`-c ${instr.kind} is not supported by commit`);
    config = change.config;
    if (instr.kind === "CMD") cmdSet = true;
  }
  return config;
}

/**
 * `commit`: the container's upper dir (its change set, container/snapshotter.ts) becomes one more layer over its
 * image's (write-layer.ts, exactly as a build step's), with a history entry
 * (`created_by` the container's command, the comment and author) and the
 * image's `author`. A running container is paused with runc while the layer is
 * written (unless `pause` is false), so the files are consistent.
 */
export async function commitContainer(store: Store, rec: ContainerRecord, o: CommitOptions): Promise<CommitResult> {
  const base = await loadImageConfig(store, rec.id);
  const config = commitConfig(base.config, rec, o.changes ?? []);
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const blob = await store.content.writer();
  let layer: { diffId: string; size: number };
  try {
    const snapshots = await containerSnapshotter(store, rec);
    const write = async () => {
      const changes = await snapshots.changeSet([paths.init], rec.diffIds, paths.upper, paths.work);
      try {
        return await writeLayer(changes.dir, blob);
      } finally {
        await changes.release();
      }
    };
    layer = await ((o.pause ?? true) ? frozen(store, rec, write) : write());
    await blob.commit({ digest: layer.diffId, size: layer.size });
  } finally {
    await blob.abort();
  }
  const created = new Date().toISOString();
  const image: ImageConfigJson = {
    ...base,
    created,
    ...(o.author ? { author: o.author } : {}),
    config,
    rootfs: { type: "layers", diff_ids: [...base.rootfs.diff_ids, layer.diffId] },
    history: [
      ...(base.history ?? []),
      { created, created_by: rec.args.join(" "), ...(o.author ? { author: o.author } : {}), ...(o.message ? { comment: o.message } : {}) },
    ],
  };
  if (!o.author) delete image.author;
  const manifest = await store.writeImage(image, [...rec.layers, { mediaType: MediaType.layer, digest: layer.diffId, size: layer.size }]);
  if (o.ref) await store.refs.tag(o.ref, manifest);
  else await store.refs.keepUntagged(manifest);
  const m = await store.content.readJson<ManifestJson>(manifest.digest);
  return { imageId: m.config.digest, manifest };
}
