/**
 * The remote build cache's format (`--cache-to/--cache-from type=registry,ref=REF`, and the same
 * artifacts in a local OCI layout, cache-layout.ts). Two versions; exports write version 2,
 * imports read both.
 *
 * ## Version 2: one small artifact per record, found by its key (cache-records-remote.ts)
 *
 * Each record is its own image manifest, tagged in REF's repository as
 *
 *   <REF's tag>-<key hex>          e.g. cache:main → cache:main-4f1c…(64 hex)
 *                                  (a tag over 128 characters: the first 32 hex of sha256(REF's tag)
 *                                  take the place of REF's tag)
 *
 *   artifactType  application/vnd.strata.cache.record.v2
 *   config        application/vnd.strata.cache.record.v2+json: the record, canonical JSON:
 *                   { "version": 2, "key": "<cache key>", "diffId": "sha256:…" | null,
 *                     "size": <uncompressed bytes>, "created": "<RFC 3339>",
 *                     "digest": "sha256:…", "mediaType": "…tar+gzip", "compressedSize": <bytes> }
 *                   (the last three only when the record has a layer)
 *   layers        [the record's layer blob, annotated dev.strata.diff-id], or [] — so a registry's
 *                 garbage collection keeps the layer while the record's tag lives
 *   annotations   dev.strata.cache.version = "2", dev.strata.cache.key = <cache key>
 *
 * and REF itself is a constant manifest (artifactType application/vnd.strata.cache.v2, config
 * application/vnd.strata.cache.v2.config+json `{"scheme":"tag-per-key","version":2}`, no layers):
 * every builder writes the same bytes, so concurrent writes of it agree. Why tags: a lookup is one
 * GET of a manifest by tag (404: a miss) and one GET of its config blob, whatever the cache's size,
 * and a tag is what every registry has (CNCF distribution, Harbor, GHCR, ECR, Artifactory, Quay);
 * OCI referrers would need a subject and a listing per lookup, and are missing on many registries.
 * An export writes only its own records' tags, each only if it is not there yet (HEAD first), so
 * builders exporting to one REF at once never overwrite each other: there is no shared document to
 * read, modify and write. Two builders racing on the same key write equally valid records (the key
 * fixes the inputs); the last tag written wins. A registry with immutable tags (ECR, Harbor rules)
 * refuses a second write of a tag: that is "already there". One that limits tags per repository
 * bounds the records; listing them (`listRecords`) is the registry's tags/list, paged.
 *
 * ## Version 1: one manifest of every record (read only)
 *
 * One image manifest at REF: artifactType application/vnd.strata.cache.v1, config
 * application/vnd.strata.cache.config.v1+json = canonical `{ "version": 1, "records": { "<cache key>":
 * { diffId, size, created, digest?, mediaType?, compressedSize? } } }`, layers every layer the
 * records name, annotation dev.strata.cache.version = "1". An import of it reads that config once;
 * an export to a REF that holds one writes its records as version 2 records first (their blobs are
 * in the repository), then REF's version-2 manifest.
 *
 * Keys are the executor's cache keys (compiler/cache/keys.ts): they hash the parent key, the base
 * image's ID, context file digests and the op, so a record is valid on any machine whose key
 * matches. Nothing read is used unverified: a record's blob against the digest its manifest names
 * and its JSON against the fields above (and its key), a layer against its digest and its diffID.
 */
import { createHash } from "node:crypto";
import type { Store } from "../store/store.ts";
import { RegistryError } from "./errors.ts";
import type { Log } from "./progress.ts";
export const CACHE_ARTIFACT_TYPE = "application/vnd.strata.cache.v1";
export const CACHE_CONFIG_TYPE = "application/vnd.strata.cache.config.v1+json";
export const CACHE_V2_ARTIFACT_TYPE = "application/vnd.strata.cache.v2";
export const CACHE_V2_CONFIG_TYPE = "application/vnd.strata.cache.v2.config+json";
export const RECORD_ARTIFACT_TYPE = "application/vnd.strata.cache.record.v2";
export const RECORD_CONFIG_TYPE = "application/vnd.strata.cache.record.v2+json";
export const DIFF_ID_ANNOTATION = "dev.strata.diff-id";
export const CACHE_VERSION_ANNOTATION = "dev.strata.cache.version";
export const CACHE_KEY_ANNOTATION = "dev.strata.cache.key";

export interface RemoteCacheRecord {
  readonly diffId: string | null;
  readonly size: number;
  readonly created: string;
  readonly digest?: string;
  readonly mediaType?: string;
  readonly compressedSize?: number;
}

/** A record with a layer blob. */
export type LayerRecord = RemoteCacheRecord & { readonly diffId: string; readonly digest: string; readonly mediaType: string; readonly compressedSize: number };

export const hasLayer = (r: RemoteCacheRecord): r is LayerRecord => r.diffId !== null && r.digest !== undefined && r.mediaType !== undefined && r.compressedSize !== undefined;

export interface RemoteCacheConfig {
  readonly version: 1;
  readonly records: Record<string, RemoteCacheRecord>;
}

/** Where a cache's records are looked up and its layers fetched: a registry (cache-records-remote.ts, cache-import.ts) or a local OCI layout (cache-layout.ts). */
export interface CacheSource {
  readonly label: string;
  /** The verified record of `key`, undefined when the cache has none; throws when it cannot be had or does not verify. */
  lookup(key: string): Promise<RemoteCacheRecord | undefined>;
  /** Brings the record's layer into the store, checked against its digest and its diffID. */
  fetch(r: LayerRecord, store: Store, log: Log): Promise<void>;
  close(): Promise<void>;
}

export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The tag of `key`'s record in a cache whose REF has tag `refTag` (see the header). */
export function recordTag(refTag: string, key: string): string {
  if (!DIGEST.test(key)) throw new RegistryError("CACHE_NOT_A_CACHE", `cache key ${JSON.stringify(key)} is not sha256:<64 hex>`);
  const tag = `${refTag}-${key.slice(7)}`;
  return tag.length <= 128 ? tag : `${sha256(refTag).slice(7, 39)}-${key.slice(7)}`;
}

/** The version-2 REF manifest: the same bytes from every builder (see the header). */
export function rootManifest(): { config: Buffer; manifest: (configDigest: string) => Buffer } {
  const config = Buffer.from(canonical({ scheme: "tag-per-key", version: 2 }));
  return {
    config,
    manifest: (configDigest) =>
      Buffer.from(
        canonical({
          annotations: { [CACHE_VERSION_ANNOTATION]: "2" },
          artifactType: CACHE_V2_ARTIFACT_TYPE,
          config: { digest: configDigest, mediaType: CACHE_V2_CONFIG_TYPE, size: config.length },
          layers: [],
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          schemaVersion: 2,
        }),
      ),
  };
}

/** A record's config blob and its manifest (see the header). */
export function recordArtifact(key: string, r: RemoteCacheRecord): { config: Buffer; manifest: (configDigest: string) => Buffer } {
  const fields = hasLayer(r) ? { diffId: r.diffId, size: r.size, created: r.created, digest: r.digest, mediaType: r.mediaType, compressedSize: r.compressedSize } : { diffId: r.diffId, size: r.size, created: r.created };
  const config = Buffer.from(canonical({ version: 2, key, ...fields }));
  return {
    config,
    manifest: (configDigest) =>
      Buffer.from(
        canonical({
          annotations: { [CACHE_KEY_ANNOTATION]: key, [CACHE_VERSION_ANNOTATION]: "2" },
          artifactType: RECORD_ARTIFACT_TYPE,
          config: { digest: configDigest, mediaType: RECORD_CONFIG_TYPE, size: config.length },
          layers: hasLayer(r) ? [{ annotations: { [DIFF_ID_ANNOTATION]: r.diffId }, digest: r.digest, mediaType: r.mediaType, size: r.compressedSize }] : [],
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          schemaVersion: 2,
        }),
      ),
  };
}

/** What a cache's REF manifest is: version 1 (its config), version 2, or neither (CACHE_NOT_A_CACHE). */
export function cacheKindOf(bytes: Buffer, label: string): { version: 1; config: { digest: string; size: number } } | { version: 2 } {
  const manifest = JSON.parse(bytes.toString("utf8")) as { config?: { mediaType: string; digest: string; size: number } };
  if (manifest.config?.mediaType === CACHE_V2_CONFIG_TYPE) return { version: 2 };
  return { version: 1, config: cacheConfigOf(bytes, label) };
}

/** The record config descriptor of a record manifest, or an error when it is not one. */
export function recordConfigOf(bytes: Buffer, label: string): { digest: string; size: number } {
  let m: { config?: { mediaType?: string; digest?: string; size?: number } };
  try {
    m = JSON.parse(bytes.toString("utf8")) as typeof m;
  } catch {
    throw new RegistryError("CACHE_NOT_A_CACHE", `${label}: the record's manifest is not JSON`);
  }
  const c = m.config;
  if (c?.mediaType !== RECORD_CONFIG_TYPE || typeof c.digest !== "string" || !DIGEST.test(c.digest) || typeof c.size !== "number") throw new RegistryError("CACHE_NOT_A_CACHE", `${label}: not a Strata cache record (config ${c?.mediaType ?? "none"})`);
  return { digest: c.digest, size: c.size };
}

/** A record blob checked against its digest, its JSON against the format and its key against `key`. */
export function verifiedRecord(bytes: Buffer, expected: string, key: string, label: string): RemoteCacheRecord {
  const digest = sha256(bytes);
  if (digest !== expected) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${label}: record blob ${expected} hashes to ${digest}`);
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new RegistryError("CACHE_NOT_A_CACHE", `${label}: record blob ${expected} is not JSON`);
  }
  const bad = (why: string) => new RegistryError("CACHE_NOT_A_CACHE", `${label}: record blob ${expected}: ${why}`);
  if (r.version !== 2) throw bad(`version ${String(r.version)}`);
  if (r.key !== key) throw bad(`it is the record of ${String(r.key)}`);
  if (!(r.diffId === null || (typeof r.diffId === "string" && DIGEST.test(r.diffId)))) throw bad("bad diffId");
  if (typeof r.size !== "number" || typeof r.created !== "string") throw bad("bad size or created");
  if (r.diffId === null) return { diffId: null, size: r.size, created: r.created };
  if (typeof r.digest !== "string" || !DIGEST.test(r.digest) || typeof r.mediaType !== "string" || typeof r.compressedSize !== "number") throw bad("bad layer descriptor");
  return { diffId: r.diffId, size: r.size, created: r.created, digest: r.digest, mediaType: r.mediaType, compressedSize: r.compressedSize };
}

/** The records of a version-1 cache config blob, checked against its digest and version. */
export function cacheRecords(bytes: Buffer, expected: string, label: string): Record<string, RemoteCacheRecord> {
  const digest = sha256(bytes);
  if (digest !== expected) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${label}: cache config ${expected} hashes to ${digest}; refused`);
  const config = JSON.parse(bytes.toString("utf8")) as RemoteCacheConfig;
  if (config.version !== 1) throw new RegistryError("CACHE_VERSION", `${label}: cache version ${config.version} is not supported`);
  return config.records;
}

/** The version-1 cache manifest's config, or a CACHE_NOT_A_CACHE error. */
export function cacheConfigOf(bytes: Buffer, label: string): { digest: string; size: number } {
  const manifest = JSON.parse(bytes.toString("utf8")) as { config?: { mediaType: string; digest: string; size: number } };
  if (manifest.config?.mediaType !== CACHE_CONFIG_TYPE) throw new RegistryError("CACHE_NOT_A_CACHE", `${label} is not a Strata cache (config ${manifest.config?.mediaType ?? "none"})`);
  return manifest.config;
}
