import type { Writable } from "node:stream";
import { StrataError } from "../../errors/error.ts";
import { exportRootfs, exportRootfsTar } from "../../image/export-rootfs.ts";
import { saveImages } from "../../image/save.ts";
import { pushImage } from "../../registry/push.ts";
import type { Descriptor } from "../../store/content-store.ts";
import type { Compression } from "../../store/compressed.ts";
import type { Store } from "../../store/store.ts";
import { saveToFile } from "../save-to-file.ts";
import type { OutputSpec } from "./output-spec.ts";

export interface OutputRequest {
  /** -o/--output, in order. */
  readonly outputs: readonly OutputSpec[];
  /** --push: push every -t name (buildx's shorthand for --output type=registry). */
  readonly push: boolean;
  readonly tags: readonly string[];
  readonly insecure: readonly string[];
  /** --cache-to type=inline: the image carries its cache in its config (registry/cache-inline.ts), so it needs a push. */
  readonly inlineCache: boolean;
}

/** The names each push goes to, with its layers' compression; checked before any work: buildx refuses a push with no name. */
function pushes(r: OutputRequest): Map<string, Compression> {
  const out = new Map<string, Compression>();
  for (const o of r.outputs) {
    if (o.type !== "image" || !o.push) continue;
    if (o.name === undefined && r.tags.length === 0) throw new StrataError("USAGE", "--output type=image,push=true: tag is needed when pushing to registry (name= or -t)");
    for (const n of o.name !== undefined ? [o.name] : r.tags) out.set(n, o.compression);
  }
  if (r.push && r.tags.length === 0) throw new StrataError("USAGE", "--push: tag is needed when pushing to registry (-t NAME)");
  if (r.push) for (const t of r.tags) if (!out.has(t)) out.set(t, "gzip");
  return out;
}

/** Whether an output writes to standard output (`-o -`, dest=-): then `-q` does not print the image ID there. */
export function writesStdout(r: OutputRequest): boolean {
  return r.outputs.some((o) => "dest" in o && o.dest === "-");
}

/** Before any work: what the outputs need from the command line (a name to push to; one standard output). */
export function checkOutputs(r: OutputRequest): void {
  if (pushes(r).size === 0 && r.inlineCache) throw new StrataError("USAGE", "--cache-to type=inline: the cache goes with a pushed image; add --push (with -t) or --output type=registry");
  const toStdout = r.outputs.filter((o) => "dest" in o && o.dest === "-");
  if (toStdout.length > 1) throw new StrataError("USAGE", "--output: only one output can write to standard output (dest=-)");
  if (toStdout.length === 1 && process.stdout.isTTY) throw new StrataError("USAGE", "--output: refusing to write an archive to a terminal; use dest=FILE or redirect standard output");
}

/**
 * Writes the built image `manifest` (a multi-platform build's image index) to every output, then
 * pushes; each says what it wrote on stderr. Of an index, type=oci and type=docker write every
 * platform's image (image/save.ts), type=local and type=tar one root filesystem per platform in
 * its own folder (image/export-rootfs.ts). Returns the pushed manifest (its bytes differ from the store's when the layers are
 * compressed for the push), which buildx's metadata names.
 */
export async function writeOutputs(store: Store, manifest: Descriptor, r: OutputRequest, log: (line: string) => void): Promise<Descriptor | undefined> {
  const img = await store.loadManifest(manifest);
  const toFileOrStdout = (dest: string, write: (out: Writable) => Promise<void>) => (dest === "-" ? write(process.stdout) : saveToFile(dest, write));
  for (const o of r.outputs) {
    switch (o.type) {
      case "local":
        await exportRootfs(store, img, o.dest);
        log(`exporting to directory ${o.dest} done`);
        break;
      case "tar":
        await toFileOrStdout(o.dest, (out) => exportRootfsTar(store, img, out));
        log(`exporting to ${o.dest === "-" ? "standard output" : o.dest} (rootfs tar) done`);
        break;
      case "oci":
      case "docker": {
        const names = o.name !== undefined ? [o.name] : r.tags;
        if (o.dest === undefined) {
          // type=docker without dest loads the image: the store has it already; the name is given it.
          if (o.name !== undefined) await store.refs.tag(o.name, manifest);
          break;
        }
        const format = o.type === "oci" ? "oci-archive" : "docker-archive";
        await toFileOrStdout(o.dest, (out) => saveImages({ store, images: [{ image: img, names }], format, compression: o.compression, out }));
        log(`exporting to ${o.dest === "-" ? "standard output" : o.dest} (${format}) done`);
        break;
      }
      case "image":
        if (o.name !== undefined) await store.refs.tag(o.name, manifest);
        break;
      case "cacheonly":
        break;
    }
  }
  let pushed: Descriptor | undefined;
  for (const [name, compression] of pushes(r)) {
    const p = await pushImage({ store, source: name, insecure: r.insecure, compression });
    log(`pushing ${p.name}@${p.digest} done`);
    pushed ??= { mediaType: manifest.mediaType, digest: p.digest, size: p.size };
  }
  return pushed;
}
