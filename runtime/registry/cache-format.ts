/**
 * The remote build cache, as an OCI artifact in a registry (`--cache-to
 * registry:REF`, `--cache-from registry:REF`).
 *
 * One image manifest (application/vnd.oci.image.manifest.v1+json) at REF:
 *
 *   artifactType  application/vnd.strata.cache.v1
 *   config        application/vnd.strata.cache.config.v1+json: the records, below
 *   layers        every layer the records name, compressed (tar+gzip), each
 *                 annotated dev.strata.diff-id = its uncompressed digest
 *   annotations   dev.strata.cache.version = "1"
 *
 * The config is canonical JSON (keys sorted):
 *
 *   { "version": 1,
 *     "records": { "<cache key>": { "diffId": "sha256:…" | null,   // null: the step changed nothing
 *                                   "size": <uncompressed bytes>,
 *                                   "created": "<RFC 3339>",        // the history time, so hits give the same image
 *                                   "digest": "sha256:…",           // the compressed blob in this repository
 *                                   "mediaType": "…tar+gzip",
 *                                   "compressedSize": <bytes> } } }
 *
 * Keys are the executor's cache keys (compiler/cache/keys.ts): they already
 * hash the parent key, the base image's ID (config digest), context file
 * digests and the op, so a record is valid on any machine whose key matches.
 * An import reads only the config (small) up front; a layer is downloaded only
 * when a step's key misses locally and hits here, then checked against its
 * digest and its diffID and kept as a local cache record.
 * A new export merges the records already at REF (their blobs are in the
 * repository), so one REF serves several Dockerfiles and targets.
 */
import { createHash } from "node:crypto";
import type { Store } from "../store/store.ts";
import { RegistryError } from "./errors.ts";
import type { Log } from "./progress.ts";
export const CACHE_ARTIFACT_TYPE = "application/vnd.strata.cache.v1";
export const CACHE_CONFIG_TYPE = "application/vnd.strata.cache.config.v1+json";
export const DIFF_ID_ANNOTATION = "dev.strata.diff-id";
export const CACHE_VERSION_ANNOTATION = "dev.strata.cache.version";

export interface RemoteCacheRecord {
  readonly diffId: string | null;
  readonly size: number;
  readonly created: string;
  readonly digest?: string;
  readonly mediaType?: string;
  readonly compressedSize?: number;
}

export interface RemoteCacheConfig {
  readonly version: 1;
  readonly records: Record<string, RemoteCacheRecord>;
}

/** Where a cache's records are read from and its layers fetched: a registry (below) or a local OCI layout (cache-layout.ts). */
export interface CacheSource {
  readonly label: string;
  readonly records: Record<string, RemoteCacheRecord>;
  /** Brings the record's layer into the store, checked against its digest and its diffID. */
  fetch(r: RemoteCacheRecord & { digest: string; mediaType: string; compressedSize: number; diffId: string }, store: Store, log: Log): Promise<void>;
  close(): Promise<void>;
}

export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

/** The records of a cache config blob, checked against its digest and version. */
export function cacheRecords(bytes: Buffer, expected: string, label: string): Record<string, RemoteCacheRecord> {
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== expected) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${label}: cache config ${expected} hashes to ${digest}; refused`);
  const config = JSON.parse(bytes.toString("utf8")) as RemoteCacheConfig;
  if (config.version !== 1) throw new RegistryError("CACHE_VERSION", `${label}: cache version ${config.version} is not supported`);
  return config.records;
}

/** The cache manifest's config, or a CACHE_NOT_A_CACHE error. */
export function cacheConfigOf(bytes: Buffer, label: string): { digest: string; size: number } {
  const manifest = JSON.parse(bytes.toString("utf8")) as { config?: { mediaType: string; digest: string; size: number } };
  if (manifest.config?.mediaType !== CACHE_CONFIG_TYPE) throw new RegistryError("CACHE_NOT_A_CACHE", `${label} is not a Strata cache (config ${manifest.config?.mediaType ?? "none"})`);
  return manifest.config;
}
