import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import { Expander, Scope } from "../../compiler/lower/scope.ts";
import { applyConfig } from "../../compiler/lower/config.ts";
import { formatDiagnostic } from "../../compiler/diagnostics/format.ts";
import type { ContainerConfig } from "../../compiler/ir/image-config.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { decompressed } from "../layer/decompress.ts";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { applyLayer } from "../layer/apply-layer.ts";
import { OverlaySnapshotter } from "../snapshot/overlay.ts";
import { type ImageConfigJson, MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";

export interface ImportOptions {
  readonly store: Store;
  /** A path, an http(s) URL, or "-" for standard input. */
  readonly tarball: string;
  /** Dockerfile config instructions to apply (`-c`): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR. */
  readonly changes?: readonly string[];
  readonly name?: string | undefined;
  readonly message?: string | undefined;
}

/**
 * `strata import`: a root filesystem tarball becomes a one-layer image, as
 * `docker import` makes it. The layer is unpacked while it is stored, and
 * refused if any entry would land outside the root.
 */
export async function importTarball(o: ImportOptions): Promise<{ id: string; manifestDigest: string }> {
  const { store } = o;
  await store.init();
  const changed = applyChanges(o.changes ?? []);
  const { stream: input } = await decompressed(await openSource(o.tarball));
  const snapshots = new OverlaySnapshotter(store.layout, store.content);
  const tmpDir = join(store.layout.tmp, `import-${process.pid}-${Date.now()}`);
  await mkdir(tmpDir, { recursive: true });
  try {
    const toStore = new PassThrough({ highWaterMark: 1 << 20 });
    const toUnpack = new PassThrough({ highWaterMark: 1 << 20 });
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
    const [blob, applied] = await Promise.all([store.content.ingest(toStore), applyLayer(toUnpack, tmpDir, { mode: "overlay" })]);
    if (blob.digest !== applied.diffId) throw new Error("internal: stored and unpacked bytes differ");
    await snapshots.adopt(tmpDir, blob.digest);
    const created = new Date().toISOString();
    const [os = "linux", architecture = "amd64"] = hostPlatform(process.arch).split("/");
    const config: ImageConfigJson = {
      created,
      architecture,
      os,
      config: changed.config,
      rootfs: { type: "layers", diff_ids: [blob.digest] },
      history: [{ created, created_by: `strata import ${o.tarball}${changed.createdBy.length ? ` (${changed.createdBy.join(", ")})` : ""}`, ...(o.message ? { comment: o.message } : {}) }],
    };
    const manifest = await store.writeImage(config, [{ mediaType: MediaType.layer, digest: blob.digest, size: blob.size }]);
    if (o.name) await store.refs.tag(o.name, manifest);
    const loaded = await store.loadManifest(manifest);
    return { id: loaded.configDigest, manifestDigest: manifest.digest };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

const CHANGE_KINDS = new Set(["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR"]);

export class ImportChangeError extends Error {
  readonly code = "IMPORT_CHANGE";
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
      throw new Error(`import: GET ${tarball}: HTTP ${res.statusCode}`);
    }
    return res.body;
  }
  return createReadStream(tarball, { highWaterMark: 1 << 20 });
}
