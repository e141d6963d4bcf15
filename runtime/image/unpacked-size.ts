import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { decompressed } from "../layer/decompress.ts";
import { CompressedBlobs } from "../store/compressed.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { compressionOfMediaType } from "./compression.ts";

/**
 * A layer's unpacked size, the size docker's `images` and `history` show
 * whichever way the image arrived: a built layer is stored uncompressed (its
 * blob is its diffID); a pulled or loaded one may be kept compressed, and is
 * then measured once by decompressing it and the size kept in its
 * compressed-blob record (store/compressed.ts); an uncompressed copy of the
 * layer answers first.
 */
export async function unpackedLayerSize(store: Store, layer: Descriptor, diffId: string | undefined): Promise<number> {
  const c = compressionOfMediaType(layer.mediaType);
  if (c === null) return layer.size;
  if (diffId !== undefined && (await store.content.has(diffId))) return (await stat(store.content.path(diffId))).size;
  const index = new CompressedBlobs(store.layout);
  const rec = c !== undefined && diffId !== undefined ? await index.get(diffId, c) : undefined;
  if (rec?.digest === layer.digest && rec.unpackedSize !== undefined) return rec.unpackedSize;
  const { stream } = await decompressed(createReadStream(store.content.path(layer.digest)), { unlimited: true });
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  // A cache: a store this process cannot write just measures again next time.
  if (c !== undefined && diffId !== undefined) {
    const base = rec?.digest === layer.digest ? rec : { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
    await index.put(diffId, c, { ...base, unpackedSize: n }).catch(() => undefined);
  }
  return n;
}

/** Each layer's unpacked size, in manifest order. */
export async function unpackedLayerSizes(store: Store, img: LoadedImage): Promise<number[]> {
  const diffIds = img.config.rootfs.diff_ids;
  return Promise.all(img.manifest.layers.map((l, i) => unpackedLayerSize(store, l, diffIds[i])));
}
