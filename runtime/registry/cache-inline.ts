/**
 * `--cache-to type=inline`, as BuildKit does it: the build cache goes in the image's own config,
 * under BuildKit's key `moby.buildkit.cache.v0` (a base64 string: Go's JSON of a []byte), so every
 * push of the image carries it and `--cache-from IMAGE` reads it from the image itself. The image
 * built is that image (its ID includes the cache, as BuildKit's does). The decoded JSON:
 *
 *   { "layers": [], "records": [],                  // BuildKit's own lists, empty: BuildKit finds
 *                                                   //   nothing of its own to reuse, and no error
 *     "dev.strata.cache": { "version": 1, "records": { "<cache key>": <record> } } }
 *
 * with records as cache-format.ts has them. A record whose layer is one of the image's names no
 * blob: the importer takes the image's own layer of that diffID (as BuildKit's inline cache
 * refers to the image's layers). Only the per-RUN layers of RUNs merged into one image layer are
 * not in the image: their records name a gzip blob, which a push of the image uploads to its
 * repository beside the layers (`inlineCacheBlobs`). mode is min: the result image's stages.
 */
import { createHash } from "node:crypto";
import { ensureCompressed } from "../image/compression.ts";
import { LimitError, limit } from "../layer/limits.ts";
import { CacheRecords } from "../store/cache-records.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { ImageConfigJson, ManifestJson } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { canonical, type RemoteCacheRecord } from "./cache-format.ts";
import { RegistryError } from "./errors.ts";
import type { Repository } from "./repository.ts";

export const INLINE_CACHE_KEY = "moby.buildkit.cache.v0";
const RECORDS_KEY = "dev.strata.cache";

type Blobbed = RemoteCacheRecord & { diffId: string; digest: string; mediaType: string; compressedSize: number };

const hasBlob = (r: RemoteCacheRecord): r is Blobbed => r.diffId !== null && r.digest !== undefined && r.mediaType !== undefined && r.compressedSize !== undefined;

/**
 * The image `manifest` with the cache records of `keys` in its config: a new config and
 * manifest in the store (the layers are the same), its descriptor returned.
 */
export async function withInlineCache(store: Store, manifest: Descriptor, keys: readonly string[]): Promise<Descriptor> {
  const img = await store.loadManifest(manifest);
  const inImage = new Set(img.config.rootfs.diff_ids);
  const records = new CacheRecords(store.layout);
  const out: Record<string, RemoteCacheRecord> = {};
  for (const key of new Set(keys)) {
    const r = await records.get(key);
    if (r === undefined) continue;
    const record = { diffId: r.diffId, size: r.size, created: r.created };
    if (r.diffId === null || inImage.has(r.diffId)) out[key] = record;
    else if (await store.content.has(r.diffId)) {
      const d = await ensureCompressed(store, r.diffId, "gzip");
      out[key] = { ...record, digest: d.digest, mediaType: d.mediaType, compressedSize: d.size };
    }
  }
  const json = canonical({ layers: [], records: [], [RECORDS_KEY]: { version: 1, records: out } });
  const config = { ...img.config, [INLINE_CACHE_KEY]: Buffer.from(json).toString("base64") } as ImageConfigJson;
  return store.writeImage(config, img.manifest.layers);
}

/** The inline cache's records of a config, or undefined when it has none (BuildKit's own inline cache included). */
function inlineRecords(config: Record<string, unknown>, label: string): Record<string, RemoteCacheRecord> | undefined {
  const payload = config[INLINE_CACHE_KEY];
  if (typeof payload !== "string") return undefined;
  let doc: { [RECORDS_KEY]?: { version?: number; records?: Record<string, RemoteCacheRecord> } };
  try {
    doc = JSON.parse(Buffer.from(payload, "base64").toString("utf8"));
  } catch {
    throw new RegistryError("CACHE_NOT_A_CACHE", `${label}: its ${INLINE_CACHE_KEY} is not JSON`);
  }
  const strata = doc[RECORDS_KEY];
  if (strata === undefined) return undefined;
  if (strata.version !== 1) throw new RegistryError("CACHE_VERSION", `${label}: inline cache version ${strata.version} is not supported`);
  return strata.records ?? {};
}

/** The blobs an inline cache names beyond the image's layers: a push uploads them beside the image. */
export function inlineCacheBlobs(config: ImageConfigJson): Blobbed[] {
  return Object.values(inlineRecords(config as unknown as Record<string, unknown>, "image") ?? {}).filter(hasBlob);
}

/** A small blob (a config), read up to its descriptor's size and the document limit, checked against its digest. */
export async function readSmallBlob(repo: Repository, desc: { digest: string; size: number }, label: string): Promise<Buffer> {
  if (desc.size > limit("documentBytes")) throw new LimitError("documentBytes", `${label}: blob ${desc.digest}`, `${desc.size} bytes`);
  const chunks: Buffer[] = [];
  for await (const c of await repo.openBlob(desc.digest, desc.size)) chunks.push(Buffer.from(c));
  const bytes = Buffer.concat(chunks);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== desc.digest) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${label}: blob ${desc.digest} hashes to ${digest}; refused`);
  return bytes;
}

/**
 * The records of the inline cache in the image `manifest` of `repo`: those of the image's own
 * layers given that layer's blob. A CACHE_NOT_A_CACHE error when the image has no inline cache.
 */
export async function readInlineCache(repo: Repository, manifest: ManifestJson, label: string): Promise<Record<string, RemoteCacheRecord>> {
  const config = JSON.parse((await readSmallBlob(repo, manifest.config, label)).toString("utf8")) as ImageConfigJson;
  const records = inlineRecords(config as unknown as Record<string, unknown>, label);
  if (records === undefined) throw new RegistryError("CACHE_NOT_A_CACHE", `${label} is an image without a Strata inline cache (pushed without --cache-to type=inline)`);
  const layerOf = new Map(config.rootfs.diff_ids.map((d, i) => [d, manifest.layers[i]]));
  const out: Record<string, RemoteCacheRecord> = {};
  for (const [key, r] of Object.entries(records)) {
    const layer = r.diffId === null || hasBlob(r) ? undefined : layerOf.get(r.diffId);
    out[key] = layer ? { ...r, digest: layer.digest, mediaType: layer.mediaType, compressedSize: layer.size } : r;
  }
  return out;
}
