/**
 * Pushing one image to a repository: its layers (each by the least work: HEAD, a mount from
 * another repository of the registry, or an upload), the blobs its inline cache names, its
 * config and its manifest (OCI, or docker's schema 2 with `--format docker`).
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { compressionOfMediaType, ensureCompressed, layerMediaType } from "../image/compression.ts";
import type { Descriptor } from "../store/content-store.ts";
import { type Compression, CompressedBlobs } from "../store/compressed.ts";
import { type ManifestJson, MediaType } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { mapLimit } from "../fs/pool.ts";
import { CorruptBlobError } from "../store/verified-read.ts";
import { StrataError } from "../errors/error.ts";
import { type Log, mb, short } from "./progress.ts";
import { inlineCacheBlobs } from "./cache-inline.ts";
import { streamLayer } from "./push-stream.ts";
import type { Repository } from "./repository.ts";

/**
 * Makes sure `repo` has the compressed form of the stored layer `diffId`,
 * doing the least work: a blob the registry already has (HEAD) is skipped, one
 * another repository of the same registry has is mounted, and only otherwise
 * is it uploaded: from the store when the compressed blob is there, else
 * streamed as it is compressed and stored (push-stream.ts). With a chunk
 * size, the layer is compressed into the store first and uploaded in chunks
 * from there.
 */
export async function pushLayer(store: Store, repo: Repository, diffId: string, o: { compression: Compression; docker: boolean; chunkSize?: number | undefined; log: Log }): Promise<Descriptor> {
  const mediaType = layerMediaType(o.compression, o.docker);
  const known = await new CompressedBlobs(store.layout).get(diffId, o.compression);
  if (known) {
    const desc = { mediaType, digest: known.digest, size: known.size };
    if (await alreadyThere(repo, desc, known.sources ?? [], o.log)) return desc;
  }
  if (!o.chunkSize && !(known && (await store.content.has(known.digest)))) {
    o.log(`${short(diffId)}: Pushing (${mb((await stat(store.content.path(diffId))).size)} uncompressed)`);
    const t = performance.now();
    const desc = await streamLayer(store, repo, diffId, known, o);
    o.log(`${short(desc.digest)}: Pushed (${mb(desc.size)} in ${((performance.now() - t) / 1000).toFixed(2)}s)`);
    return desc;
  }
  const desc = await ensureCompressed(store, diffId, o.compression, { docker: o.docker });
  if (desc.digest !== known?.digest && (await repo.hasBlob(desc.digest, true)) !== undefined) {
    o.log(`${short(desc.digest)}: Layer already exists`);
    return desc;
  }
  return uploadStored(store, repo, desc, o);
}

/** Uploads a blob from the store (monolithic, or in chunks), saying so. */
async function uploadStored(store: Store, repo: Repository, desc: Descriptor, o: { chunkSize?: number | undefined; log: Log }): Promise<Descriptor> {
  const t = performance.now();
  o.log(`${short(desc.digest)}: Pushing (${mb(desc.size)})`);
  await repo.uploadFile(desc, store.content.path(desc.digest), o.chunkSize);
  o.log(`${short(desc.digest)}: Pushed (${mb(desc.size)} in ${((performance.now() - t) / 1000).toFixed(2)}s)`);
  return desc;
}

/** Whether `repo` has the blob (HEAD), or got it by a cross-repository mount from one of `sources` (host/path) on the same registry. */
async function alreadyThere(repo: Repository, desc: Descriptor, sources: readonly string[], log: Log): Promise<boolean> {
  if ((await repo.hasBlob(desc.digest, true)) !== undefined) {
    log(`${short(desc.digest)}: Layer already exists`);
    return true;
  }
  const here = `${repo.client.host}/`;
  for (const src of sources) {
    if (!src.startsWith(here) || src === `${here}${repo.name}`) continue;
    const from = src.slice(here.length);
    if (await repo.mountBlob(desc.digest, from).catch(() => false)) {
      log(`${short(desc.digest)}: Mounted from ${from}`);
      return true;
    }
  }
  return false;
}

/**
 * A layer the store holds compressed (pulled, or loaded from another tool's
 * layout): pushed as it is, by HEAD, mount from where it came, or upload.
 */
async function pushStoredBlob(store: Store, repo: Repository, l: Descriptor, diffId: string | undefined, o: { docker: boolean; chunkSize?: number | undefined; log: Log }): Promise<Descriptor> {
  const c = compressionOfMediaType(l.mediaType);
  const desc = { mediaType: c ? layerMediaType(c, o.docker) : l.mediaType, digest: l.digest, size: l.size };
  const rec = c && diffId ? await new CompressedBlobs(store.layout).get(diffId, c) : undefined;
  if (await alreadyThere(repo, desc, rec?.digest === l.digest ? (rec.sources ?? []) : [], o.log)) return desc;
  return uploadStored(store, repo, desc, o);
}

/** The image's config, checked against its digest, uploaded unless the registry has it; answers its bytes. */
async function pushConfig(store: Store, img: LoadedImage, repo: Repository): Promise<Buffer> {
  const bytes = await store.content.readBytes(img.configDigest);
  const hash = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (hash !== img.configDigest) throw new CorruptBlobError(img.configDigest, hash);
  if ((await repo.hasBlob(hash, true)) === undefined) await repo.uploadBytes(bytes, hash);
  return bytes;
}

/** Uploads a small blob (a config) unless the repository has it. */
export async function pushBytes(repo: Repository, bytes: Buffer): Promise<string> {
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if ((await repo.hasBlob(digest, true)) === undefined) await repo.uploadBytes(bytes, digest);
  return digest;
}

/**
 * Docker's image manifest v2 schema 2 lists only tar and tar.gzip layer types
 * (distribution's manifest/schema2); zstd is OCI's. Refused before any upload.
 */
export function checkDockerFormat(img: LoadedImage, o: { compression: Compression; docker: boolean }): void {
  if (!o.docker) return;
  const stored = img.manifest.layers.some((l) => compressionOfMediaType(l.mediaType) === "zstd");
  if (o.compression !== "zstd" && !stored) return;
  const why = stored ? "the image's layers are stored zstd-compressed" : "--compression zstd was asked for";
  throw new StrataError("PUSH_DOCKER_ZSTD", `push --format docker: ${why}, and Docker's v2 schema 2 manifest has no zstd layer type; use --format oci (or --compression gzip)`);
}

/**
 * The blobs an inline cache names beyond the image's layers (cache-inline.ts), uploaded to the
 * image's repository; one whose layer the store no longer has (its build cache pruned) is left
 * out, and a build reading the cache then runs that step.
 */
async function pushInlineCacheBlobs(store: Store, img: LoadedImage, repo: Repository, o: { chunkSize?: number | undefined; log: Log }): Promise<void> {
  for (const r of inlineCacheBlobs(img.config)) {
    if (!(await store.content.has(r.diffId))) continue;
    const d = await ensureCompressed(store, r.diffId, "gzip");
    if (d.digest !== r.digest || (await alreadyThere(repo, d, [], o.log))) continue;
    await uploadStored(store, repo, d, o);
  }
}

export interface PushFormat {
  readonly compression: Compression;
  readonly docker: boolean;
  readonly chunkSize?: number | undefined;
  readonly log: Log;
}

/**
 * Pushes one image (its layers, config and manifest) to `repo`, the manifest under `reference`
 * (a tag, or undefined: by its own digest, as an index's child is). Returns the pushed
 * manifest's descriptor, which differs from the stored one when layers were compressed for the push.
 */
export async function pushImageTo(store: Store, img: LoadedImage, repo: Repository, reference: string | undefined, o: PushFormat): Promise<Descriptor> {
  checkDockerFormat(img, o);
  const diffIds = img.config.rootfs.diff_ids;
  // The config goes up while the layers do (the registry needs every blob only by the manifest's PUT).
  const [pushed, config] = await Promise.allSettled([
    (async () => {
      const layers = await mapLimit(img.manifest.layers, 3, async (l, i) => {
        if (l.mediaType !== MediaType.layer) return pushStoredBlob(store, repo, l, diffIds[i], o);
        return pushLayer(store, repo, diffIds[i] ?? l.digest, o);
      });
      await pushInlineCacheBlobs(store, img, repo, o);
      return layers;
    })(),
    pushConfig(store, img, repo),
  ]);
  if (pushed.status === "rejected") throw pushed.reason;
  if (config.status === "rejected") throw config.reason;
  const layers = pushed.value;
  const configBytes = config.value;
  const manifest: ManifestJson = {
    schemaVersion: 2,
    mediaType: o.docker ? MediaType.dockerManifest : MediaType.manifest,
    config: { mediaType: o.docker ? MediaType.dockerConfig : MediaType.config, digest: img.configDigest, size: configBytes.length },
    layers,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await repo.putManifest(reference ?? `sha256:${createHash("sha256").update(bytes).digest("hex")}`, bytes, manifest.mediaType);
  const index = new CompressedBlobs(store.layout);
  for (const [i, l] of layers.entries()) {
    const c = compressionOfMediaType(l.mediaType);
    if (c && diffIds[i]) await index.addSource(diffIds[i] as string, c, l, `${repo.client.host}/${repo.name}`);
  }
  return { mediaType: manifest.mediaType, digest, size: bytes.length };
}
