import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { applyLayer } from "../layer/apply-layer.ts";
import { OverlaySnapshotter } from "../snapshot/overlay.ts";
import { type ImageConfigJson, MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";

/** Peeks at the first bytes to undo gzip compression if present. */
async function decompressed(input: Readable): Promise<Readable> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  const rest = new PassThrough();
  rest.write(head);
  (async () => {
    for (let n = await it.next(); !n.done; n = await it.next()) if (!rest.write(n.value)) await new Promise((r) => rest.once("drain", r));
    rest.end();
  })().catch((e) => rest.destroy(e as Error));
  if (head[0] === 0x1f && head[1] === 0x8b) return rest.pipe(createGunzip());
  return rest;
}

export interface ImportOptions {
  readonly store: Store;
  /** A path, or "-" for standard input. */
  readonly tarball: string;
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
  const input = await decompressed(o.tarball === "-" ? process.stdin : createReadStream(o.tarball, { highWaterMark: 1 << 20 }));
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
      config: {},
      rootfs: { type: "layers", diff_ids: [blob.digest] },
      history: [{ created, created_by: `strata import ${o.tarball}`, ...(o.message ? { comment: o.message } : {}) }],
    };
    const manifest = await store.writeImage(config, [{ mediaType: MediaType.layer, digest: blob.digest, size: blob.size }]);
    if (o.name) await store.refs.tag(o.name, manifest);
    const loaded = await store.loadManifest(manifest);
    return { id: loaded.configDigest, manifestDigest: manifest.digest };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
