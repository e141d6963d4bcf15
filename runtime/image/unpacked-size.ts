import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { decompressed } from "../layer/decompress.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { compressionOfMediaType } from "./compression.ts";

/**
 * A layer's unpacked size, the size docker's `images` and `history` show
 * whichever way the image arrived: a built layer is stored uncompressed (its
 * blob is its diffID); a pulled or loaded one may be kept compressed, and is
 * then measured by decompressing it (the uncompressed copy, once the layer is
 * unpacked, answers first).
 */
export async function unpackedLayerSize(store: Store, layer: Descriptor, diffId: string | undefined): Promise<number> {
  if (compressionOfMediaType(layer.mediaType) === null) return layer.size;
  if (diffId !== undefined && (await store.content.has(diffId))) return (await stat(store.content.path(diffId))).size;
  const { stream } = await decompressed(createReadStream(store.content.path(layer.digest)), { unlimited: true });
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

/** Each layer's unpacked size, in manifest order. */
export async function unpackedLayerSizes(store: Store, img: LoadedImage): Promise<number[]> {
  const diffIds = img.config.rootfs.diff_ids;
  return Promise.all(img.manifest.layers.map((l, i) => unpackedLayerSize(store, l, diffIds[i])));
}
