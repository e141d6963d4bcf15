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
import { StrataError } from "../errors/error.ts";
import { parseName } from "../store/names.ts";
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

/** `registry:REF` or BuildKit's `type=registry,ref=REF`: the REF. */
export function cacheRef(spec: string): string {
  if (spec.startsWith("registry:")) return checkedRef(spec, spec.slice("registry:".length));
  if (spec.includes("=")) {
    const kv = new Map(spec.split(",").map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] as [string, string]));
    if ((kv.get("type") ?? "registry") !== "registry") throw new StrataError("USAGE", `cache ${spec}: only type=registry is supported`);
    const ref = kv.get("ref");
    if (!ref) throw new StrataError("USAGE", `cache ${spec}: missing ref=`);
    return checkedRef(spec, ref);
  }
  throw new StrataError("USAGE", `cache ${spec}: expected registry:REF or type=registry,ref=REF`);
}

/** The cache's image reference, valid (docker's grammar) or a USAGE error naming the option's value. */
function checkedRef(spec: string, ref: string): string {
  try {
    parseName(ref);
  } catch (e) {
    throw new StrataError("USAGE", `cache ${spec}: ${(e as Error).message}`);
  }
  return ref;
}

export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}
