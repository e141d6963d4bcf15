import { createHash } from "node:crypto";
import { ensureCompressed, layerMediaType } from "../image/compression.ts";
import type { Descriptor } from "../store/content-store.ts";
import { type Compression, CompressedBlobs } from "../store/compressed.ts";
import { familiarName } from "../store/names.ts";
import { type ManifestJson, MediaType } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { mapLimit } from "../fs/pool.ts";
import { RegistryClient } from "./client.ts";
import { type Log, mb, short, stderrLog } from "./progress.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

export interface PushOptions {
  readonly store: Store;
  /** The local image (name or id). */
  readonly source: string;
  /** Where to push it (default: the source name). */
  readonly dest?: string | undefined;
  readonly insecure?: readonly string[];
  readonly compression?: Compression;
  /** Upload in chunks of this many bytes (default: monolithic). */
  readonly chunkSize?: number | undefined;
  /** Docker schema 2 media types instead of OCI. */
  readonly docker?: boolean;
  readonly log?: Log;
}

/**
 * Makes sure `repo` has the compressed form of the stored layer `diffId`,
 * doing the least work: a blob the registry already has (HEAD) is skipped, one
 * another repository of the same registry has is mounted, and only otherwise
 * is the layer compressed (once, remembered) and uploaded.
 */
export async function pushLayer(store: Store, repo: Repository, diffId: string, o: { compression: Compression; docker: boolean; chunkSize?: number | undefined; log: Log }): Promise<Descriptor> {
  const index = new CompressedBlobs(store.layout);
  const mediaType = layerMediaType(o.compression, o.docker);
  const here = `${repo.client.host}/`;
  const known = await index.get(diffId, o.compression);
  if (known) {
    const desc = { mediaType, digest: known.digest, size: known.size };
    if ((await repo.hasBlob(known.digest, true)) !== undefined) {
      o.log(`${short(known.digest)}: Layer already exists`);
      return desc;
    }
    for (const src of known.sources ?? []) {
      if (!src.startsWith(here) || src === `${here}${repo.name}`) continue;
      const from = src.slice(here.length);
      if (await repo.mountBlob(known.digest, from).catch(() => false)) {
        o.log(`${short(known.digest)}: Mounted from ${from}`);
        return desc;
      }
    }
  }
  const t = performance.now();
  const desc = await ensureCompressed(store, diffId, o.compression, { docker: o.docker });
  if (desc.digest !== known?.digest && (await repo.hasBlob(desc.digest, true)) !== undefined) {
    o.log(`${short(desc.digest)}: Layer already exists`);
    return desc;
  }
  o.log(`${short(desc.digest)}: Pushing (${mb(desc.size)})`);
  await repo.uploadFile(desc, store.content.path(desc.digest), o.chunkSize);
  o.log(`${short(desc.digest)}: Pushed (${mb(desc.size)} in ${((performance.now() - t) / 1000).toFixed(2)}s)`);
  return desc;
}

/** Uploads a small blob (a config) unless the repository has it. */
export async function pushBytes(repo: Repository, bytes: Buffer): Promise<string> {
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if ((await repo.hasBlob(digest, true)) === undefined) await repo.uploadBytes(bytes, digest);
  return digest;
}

export async function pushImageTo(store: Store, img: LoadedImage, repo: Repository, reference: string, o: { compression: Compression; docker: boolean; chunkSize?: number | undefined; log: Log }): Promise<{ digest: string; size: number }> {
  const diffIds = img.config.rootfs.diff_ids;
  const layers = await mapLimit(img.manifest.layers, 3, async (l, i) => {
    if (l.mediaType !== MediaType.layer) {
      // Stored compressed already (written by another tool): pushed as is.
      if ((await repo.hasBlob(l.digest, true)) === undefined) await repo.uploadFile(l, store.content.path(l.digest), o.chunkSize);
      return { mediaType: l.mediaType, digest: l.digest, size: l.size };
    }
    return pushLayer(store, repo, diffIds[i] ?? l.digest, o);
  });
  const configBytes = await (await import("node:fs/promises")).readFile(store.content.path(img.configDigest));
  await pushBytes(repo, configBytes);
  const manifest: ManifestJson = {
    schemaVersion: 2,
    mediaType: o.docker ? MediaType.dockerManifest : MediaType.manifest,
    config: { mediaType: o.docker ? MediaType.dockerConfig : MediaType.config, digest: img.configDigest, size: configBytes.length },
    layers,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await repo.putManifest(reference, bytes, manifest.mediaType);
  const index = new CompressedBlobs(store.layout);
  for (const [i, l] of layers.entries()) if (l.mediaType !== MediaType.layer && diffIds[i] && !l.mediaType.endsWith("zstd") === (o.compression === "gzip")) await index.addSource(diffIds[i] as string, o.compression, l, `${repo.client.host}/${repo.name}`);
  return { digest, size: bytes.length };
}

/** `strata push`: a local image to a registry. */
export async function pushImage(o: PushOptions): Promise<{ name: string; digest: string; size: number }> {
  const log = o.log ?? stderrLog;
  const img = await o.store.getImage(o.source);
  const ref = parseRemote(o.dest ?? o.source);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log });
  try {
    const repo = new Repository(client, ref.repository);
    const r = await pushImageTo(o.store, img, repo, ref.reference, { compression: o.compression ?? "gzip", docker: o.docker ?? false, chunkSize: o.chunkSize, log });
    log(`${ref.name.tag ?? "latest"}: digest: ${r.digest} size: ${r.size}`);
    return { name: familiarName(ref.name), ...r };
  } finally {
    await client.close();
  }
}
