import { createHash } from "node:crypto";
import type { Descriptor } from "../store/content-store.ts";
import type { Compression } from "../store/compressed.ts";
import { type ManifestJson, MediaType, ociManifest } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { compressionOfMediaType, ensureCompressed } from "./compression.ts";

/**
 * An image in the form it leaves the machine in (push, save): the same
 * config bytes, layers compressed (once, remembered), and a manifest naming
 * the compressed blobs. `docker: true` gives Docker schema 2 media types.
 */
export interface DistributionImage {
  readonly manifest: Buffer;
  readonly manifestDescriptor: Descriptor;
  readonly config: Descriptor;
  /** Compressed layers, with the diffID each stands for. */
  readonly layers: readonly (Descriptor & { diffId: string })[];
}

export async function distributionImage(
  store: Store,
  img: LoadedImage,
  o: { compression: Compression; docker?: boolean; onLayer?: (diffId: string, phase: "compressing" | "ready", desc?: Descriptor) => void },
): Promise<DistributionImage> {
  const layers: (Descriptor & { diffId: string })[] = [];
  const diffIds = img.config.rootfs.diff_ids;
  for (const [i, l] of img.manifest.layers.entries()) {
    const diffId = diffIds[i] ?? l.digest;
    // Already compressed in the store (an image written by another tool): used as is.
    if (l.mediaType !== MediaType.layer && l.mediaType !== "application/vnd.docker.image.rootfs.diff.tar") {
      layers.push({ mediaType: l.mediaType, digest: l.digest, size: l.size, diffId });
      continue;
    }
    o.onLayer?.(diffId, "compressing");
    const d = await ensureCompressed(store, l.digest, o.compression, { docker: o.docker ?? false });
    o.onLayer?.(diffId, "ready", d);
    layers.push({ ...d, diffId });
  }
  const config: Descriptor = { mediaType: o.docker ? MediaType.dockerConfig : MediaType.config, digest: img.configDigest, size: img.manifest.config.size };
  const manifest: ManifestJson = {
    schemaVersion: 2,
    mediaType: o.docker ? MediaType.dockerManifest : MediaType.manifest,
    config,
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  return { manifest: bytes, manifestDescriptor: { mediaType: manifest.mediaType, digest, size: bytes.length }, config, layers };
}

/**
 * The local manifest of an image whose config and uncompressed layers are
 * stored: exactly the bytes Store.writeImage, the executor and import
 * write, so one image has one manifest digest on every machine that holds
 * its layers uncompressed (built, loaded, imported).
 */
export function localManifest(configDigest: string, configSize: number, layers: readonly { digest: string; size: number }[]): Buffer {
  return ociManifest({ digest: configDigest, size: configSize }, layers.map((l) => ({ mediaType: MediaType.layer, digest: l.digest, size: l.size })));
}

/** A layer descriptor in OCI terms (Docker schema 2 media types mapped to OCI's). */
export function ociLayer(l: Descriptor): Descriptor {
  const c = compressionOfMediaType(l.mediaType);
  const mediaType = c === "gzip" ? MediaType.layerGzip : c === "zstd" ? MediaType.layerZstd : c === null ? MediaType.layer : l.mediaType;
  return { mediaType, digest: l.digest, size: l.size };
}
