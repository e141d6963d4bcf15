import { createReadStream } from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { Expander, Scope } from "../../compiler/lower/scope.ts";
import { applyConfig } from "../../compiler/lower/config.ts";
import { formatDiagnostic } from "../../compiler/diagnostics/format.ts";
import type { ContainerConfig } from "../../compiler/ir/image-config.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { decompressed } from "../layer/decompress.ts";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { snapshotterFor } from "../snapshot/select.ts";
import type { Snapshotter } from "../snapshot/snapshotter.ts";
import { type ImageConfigJson, MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { StrataError } from "../errors/error.ts";
import { inContext } from "../errors/system.ts";

export interface ImportOptions {
  readonly store: Store;
  /** A path, an http(s) URL, or "-" for standard input. */
  readonly tarball: string;
  /** Dockerfile config instructions to apply (`-c`): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR. */
  readonly changes?: readonly string[];
  readonly name?: string | undefined;
  readonly message?: string | undefined;
  /** os/arch[/variant] of the tarball's programs, for the config (default: this machine's). */
  readonly platform?: string | undefined;
}

/**
 * `strata import`: a root filesystem tarball becomes a one-layer image, as
 * `docker import` makes it. The layer is unpacked (a snapshot, refused if
 * any entry would land outside the root) while it is written to a
 * content-store writer, which is committed as the diffID the unpacked tar
 * hashed to: the blob and the snapshot are the same bytes.
 */
export async function importTarball(o: ImportOptions): Promise<{ id: string; manifestDigest: string }> {
  const { store } = o;
  await store.init();
  const changed = applyChanges(o.changes ?? []);
  const { stream: input } = await decompressed(await openSource(o.tarball));
  const snapshots: Snapshotter = await snapshotterFor(store);
  const blob = await store.content.writer();
  try {
    const toStore = new PassThrough({ highWaterMark: 1 << 20 });
    const toUnpack = new PassThrough({ highWaterMark: 1 << 20 });
    // A failure is reported by the side that reads (below); a tee destroyed with it must not
    // also raise an unhandled 'error' event (a raw stack trace instead of the one line).
    for (const side of [toStore, toUnpack]) side.on("error", () => undefined);
    input.on("data", (c: Buffer) => {
      const a = toStore.write(c);
      const b = toUnpack.write(c);
      if (!a || !b) {
        input.pause();
        const resume = () => {
          if (!toStore.writableNeedDrain && !toUnpack.writableNeedDrain) input.resume();
        };
        toStore.once("drain", resume);
        toUnpack.once("drain", resume);
      }
    });
    input.on("end", () => {
      toStore.end();
      toUnpack.end();
    });
    input.on("error", (e) => {
      toStore.destroy(e);
      toUnpack.destroy(e);
    });
    const store$ = (async () => {
      for await (const c of toStore) await blob.write(c as Buffer);
    })();
    const [, diffId] = await Promise.all([store$, snapshots.apply(toUnpack)]).catch((e: Error) => {
      // One side failed: stop the other, which would wait for bytes forever.
      input.destroy();
      toStore.destroy(e);
      toUnpack.destroy(e);
      throw inContext(e, `import ${o.tarball}`);
    });
    const layer = await blob.commit({ digest: diffId }).catch((e: unknown) => {
      throw inContext(e, `import ${o.tarball}: layer ${diffId}`);
    });
    const created = new Date().toISOString();
    const [os = "linux", architecture = "amd64", variant] = (o.platform ?? hostPlatform(process.arch)).split("/");
    const config: ImageConfigJson = {
      created,
      architecture,
      os,
      ...(variant !== undefined && { variant }),
      config: changed.config,
      rootfs: { type: "layers", diff_ids: [layer.digest] },
      history: [{ created, created_by: `strata import ${o.tarball}${changed.createdBy.length ? ` (${changed.createdBy.join(", ")})` : ""}`, ...(o.message ? { comment: o.message } : {}) }],
    };
    const manifest = await store.writeImage(config, [{ mediaType: MediaType.layer, digest: layer.digest, size: layer.size }]);
    if (o.name) await store.refs.tag(o.name, manifest);
    else await store.refs.keepUntagged(manifest);
    const loaded = await store.loadManifest(manifest);
    return { id: loaded.configDigest, manifestDigest: manifest.digest };
  } finally {
    await blob.abort();
  }
}

const CHANGE_KINDS = new Set(["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR"]);

export class ImportChangeError extends StrataError {
  constructor(message: string) {
    super("IMPORT_CHANGE", message);
  }
}

/**
 * `-c/--change`: each value is parsed as Dockerfile text after `FROM scratch`
 * and applied with the lowering's own config rules (compiler/lower/config.ts),
 * so `-c 'ENV A=1 B=$A'` means what it means in a Dockerfile.
 */
export function applyChanges(changes: readonly string[]): { config: ContainerConfig; createdBy: string[] } {
  let config: ContainerConfig = {};
  const createdBy: string[] = [];
  if (changes.length === 0) return { config, createdBy };
  const source = new SourceFile("--change", `FROM scratch\n${changes.join("\n")}\n`);
  const parsed = parseDockerfile(source);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new ImportChangeError(errors.map((d) => formatDiagnostic(d, source)).join("\n"));
  const ex = new Expander(source.name);
  let cmdSet = false;
  for (const instr of parsed.instructions.slice(1)) {
    if (!CHANGE_KINDS.has(instr.kind)) throw new ImportChangeError(`--change: ${instr.kind} is not allowed (only ${[...CHANGE_KINDS].join(", ")})`);
    const change = applyConfig(instr, config, new Scope(config.Env ?? [], new Map(), "\\"), ex, cmdSet);
    if (!change) throw new ImportChangeError(`--change: ${instr.kind} is not a config instruction`);
    if (instr.kind === "CMD") cmdSet = true;
    config = change.config;
    createdBy.push(change.createdBy);
  }
  if (ex.diagnostics.length > 0) throw new ImportChangeError(ex.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n"));
  return { config, createdBy };
}

/** The tarball's bytes: standard input, an http(s) URL (undici, redirects followed), or a file. */
async function openSource(tarball: string): Promise<Readable> {
  if (tarball === "-") return process.stdin;
  if (/^https?:\/\//i.test(tarball)) {
    const { request, interceptors, Agent } = await import("undici");
    const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
    const res = await request(tarball, { method: "GET", dispatcher });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new StrataError("IMPORT_FETCH", `import: GET ${tarball}: HTTP ${res.statusCode}`);
    }
    return res.body;
  }
  return createReadStream(tarball, { highWaterMark: 1 << 20 });
}
