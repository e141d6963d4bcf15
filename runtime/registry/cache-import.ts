import type { CacheRecord } from "../store/cache-records.ts";
import type { Store } from "../store/store.ts";
import { RegistryClient } from "./client.ts";
import { type CacheSource, cacheKindOf, cacheRecords, hasLayer, type LayerRecord, type RemoteCacheRecord } from "./cache-format.ts";
import { readInlineCache, readSmallBlob } from "./cache-inline.ts";
import { fetchRecordLayer, recordSource } from "./cache-records-remote.ts";
import { imageManifest } from "./pull.ts";
import type { RegistryError } from "./errors.ts";
import { type Log, mb, short, stderrLog } from "./progress.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";
import { openLayout } from "./cache-layout.ts";
import { type CacheImport, cacheLabel } from "./cache-spec.ts";

/**
 * Attempts for one cache request, and the first backoff (doubled): 429 and 5xx are retried 3
 * times in all, 100 ms then 200 ms apart (a Retry-After is honoured up to 10 s: client.ts); then
 * the record is a miss. STRATA_REGISTRY_RETRIES lowers the attempts.
 */
const CACHE_ATTEMPTS = Math.max(1, Math.min(3, Number(process.env.STRATA_REGISTRY_RETRIES ?? 3)));
const CACHE_BACKOFF_MS = 100;
/** A source whose lookups failed this many times (not a bad record: the registry) is dropped for the rest of the build. */
const SOURCE_FAILURES = 3;

/** A version-1 cache (or an image's inline cache): its records read once when it opens. */
function wholeSource(repo: Repository, records: Record<string, RemoteCacheRecord>): CacheSource {
  return {
    label: repo.label,
    lookup: async (key) => records[key],
    fetch: (rec, store, log) => fetchRecordLayer(repo, rec, store, log),
    close: () => repo.client.close(),
  };
}

/** A registry cache, or undefined (the connection closed) when REF does not exist yet. One GET of REF's manifest. */
async function openRegistry(r: string, o: { insecure?: readonly string[]; log: Log }): Promise<CacheSource | undefined> {
  const ref = parseRemote(r);
  const repo = new Repository(new RegistryClient(ref.host, { insecure: o.insecure ?? [], log: o.log, attempts: CACHE_ATTEMPTS, backoffMs: CACHE_BACKOFF_MS }), ref.repository);
  const label = `${repo.label}:${ref.reference}`;
  try {
    const m = await repo.getManifest(ref.reference);
    let kind: ReturnType<typeof cacheKindOf> | undefined;
    try {
      kind = cacheKindOf(m.bytes, label);
    } catch (e) {
      // An image, not a cache: the inline cache in its config, if it was built with one (cache-inline.ts).
      if ((e as RegistryError).code !== "CACHE_NOT_A_CACHE") throw e;
      const { manifest } = await imageManifest(repo, ref.reference, undefined, label);
      return wholeSource(repo, await readInlineCache(repo, manifest, label));
    }
    if (kind.version === 2) return recordSource(repo, ref.reference);
    return wholeSource(repo, cacheRecords(await readSmallBlob(repo, kind.config, label), kind.config.digest, label));
  } catch (e) {
    await repo.client.close();
    if ((e as RegistryError).status !== 404) throw e;
    return undefined;
  }
}

/** A hit's layer could not be had or did not verify: the build runs again without that record (engine/build.ts). */
export class CacheLayerUnusable extends Error {
  readonly cacheKey: string;
  constructor(key: string, message: string) {
    super(message);
    this.cacheKey = key;
  }
}

interface Found {
  readonly source: CacheSource;
  readonly key: string;
  readonly record: RemoteCacheRecord;
}

/**
 * The build caches imported for one build (`--cache-from`, several in order; format in
 * cache-format.ts). Opening reads each REF's manifest only; `lookup` asks the caches for one key's
 * record (a version-2 cache: two small requests), `layer` downloads a hit's layer (verified) only
 * when the executor needs its bytes. A fault — a cache request failing after its retries, a
 * record that does not verify, a layer that cannot be had or does not match its digest — is one
 * warning line naming the cache, the key and the digest, and the record is not used.
 */
export class RemoteCache {
  readonly #sources: CacheSource[];
  readonly #all: readonly CacheSource[];
  readonly #store: Store;
  readonly #log: Log;
  readonly #found = new Map<string, Promise<Found | undefined>>();
  readonly #byDiffId = new Map<string, Found>();
  readonly #resolved = new Map<string, Found>();
  readonly #layers = new Map<string, Promise<void>>();
  readonly #bad = new Set<string>();
  readonly #failures = new Map<CacheSource, number>();

  private constructor(store: Store, sources: CacheSource[], log: Log) {
    this.#store = store;
    this.#sources = [...sources];
    this.#all = sources;
    this.#log = log;
  }

  /**
   * Opens each `--cache-from` cache; one that does not exist yet is skipped with a note (the first
   * build has no cache), one that cannot be read (unreachable, not a cache) with a warning: as in
   * BuildKit, a failed cache import does not fail the build (only a bad option value does).
   */
  static async open(store: Store, caches: readonly CacheImport[], o: { insecure?: readonly string[]; log?: Log } = {}): Promise<RemoteCache> {
    const log = o.log ?? stderrLog;
    // Opened at once; asked in the order given.
    const opened = await Promise.all(
      caches.map(async (c) => {
        try {
          const s = c.type === "registry" ? await openRegistry(c.ref, { ...o, log }) : await openLayout(c.src);
          if (s === undefined) log(`cache ${cacheLabel(c)}: not found; building without it`);
          return s;
        } catch (e) {
          log(`warning: --cache-from ${cacheLabel(c)}: not imported (${(e as Error).message}); building without it`);
          return undefined;
        }
      }),
    );
    return new RemoteCache(store, opened.filter((s): s is CacheSource => s !== undefined), log);
  }

  /** Whether a cache has a usable record for `key` (explain's prediction). */
  async has(key: string): Promise<boolean> {
    return (await this.lookup(key)) !== undefined;
  }

  /** `key`'s record from the first cache that has a verified one, its layer not fetched; undefined: a miss. */
  async lookup(key: string): Promise<CacheRecord | undefined> {
    if (this.#bad.has(key)) return undefined;
    let p = this.#found.get(key);
    if (p === undefined) {
      p = this.#find(key);
      this.#found.set(key, p);
    }
    const f = await p;
    if (f === undefined || this.#bad.has(key)) return undefined;
    return { diffId: f.record.diffId, size: f.record.size, created: f.record.created };
  }

  async #find(key: string): Promise<Found | undefined> {
    for (const source of [...this.#sources]) {
      if (!this.#sources.includes(source)) continue;
      let record: RemoteCacheRecord | undefined;
      try {
        record = await source.lookup(key);
      } catch (e) {
        this.#log(`warning: cache ${source.label}: record ${key} not used (${(e as Error).message}); running the step without it`);
        const status = (e as RegistryError).status;
        if (status === undefined || status >= 500 || status === 429) this.#failed(source);
        continue;
      }
      if (record === undefined) continue;
      // A record whose layer this cache does not name (an inline cache's image layer it lost) is usable only when the layer is here.
      if (record.diffId !== null && !hasLayer(record) && !(await this.#store.content.has(record.diffId))) continue;
      const found = { source, key, record };
      this.#resolved.set(key, found);
      if (record.diffId !== null && !this.#byDiffId.has(record.diffId)) this.#byDiffId.set(record.diffId, found);
      return found;
    }
    return undefined;
  }

  #failed(source: CacheSource): void {
    const n = (this.#failures.get(source) ?? 0) + 1;
    this.#failures.set(source, n);
    if (n < SOURCE_FAILURES) return;
    const i = this.#sources.indexOf(source);
    if (i < 0) return;
    this.#sources.splice(i, 1);
    this.#log(`warning: cache ${source.label}: ${n} requests failed; not asked again in this build`);
  }

  /**
   * Brings the layer `diffId` of a record `lookup` gave into the store, verified; once per layer.
   * Throws CacheLayerUnusable (after its warning) when it cannot: the record is then a miss.
   */
  layer(diffId: string): Promise<void> {
    let p = this.#layers.get(diffId);
    if (p === undefined) {
      p = this.#fetchLayer(diffId);
      this.#layers.set(diffId, p);
      p.catch(() => this.#layers.delete(diffId));
    }
    return p;
  }

  async #fetchLayer(diffId: string): Promise<void> {
    if (await this.#store.content.has(diffId)) return;
    const f = this.#byDiffId.get(diffId);
    if (f === undefined) throw new Error(`internal: layer ${diffId} is not one a cache record named`);
    const r = f.record;
    if (!hasLayer(r)) throw new CacheLayerUnusable(f.key, `cache ${f.source.label}: record ${f.key} names no blob for layer ${diffId}`);
    this.#log(`${short(r.digest)}: Pulling cached layer from ${f.source.label} (${mb(r.compressedSize)})`);
    try {
      await f.source.fetch(r as LayerRecord, this.#store, this.#log);
    } catch (e) {
      // Every key whose record names this layer is a miss from now on.
      for (const [k, other] of this.#resolved) if (other.record.diffId === diffId) this.#bad.add(k);
      this.#byDiffId.delete(diffId);
      const message = `cache ${f.source.label}: record ${f.key}: layer ${r.digest} not used (${(e as Error).message}); running the step without it`;
      this.#log(`warning: ${message}`);
      throw new CacheLayerUnusable(f.key, message);
    }
  }

  /** `key`'s record with its layer in the store, or undefined (a miss, or a layer that could not be had: warned). */
  async fetch(key: string): Promise<CacheRecord | undefined> {
    const r = await this.lookup(key);
    if (r === undefined || r.diffId === null) return r;
    try {
      await this.layer(r.diffId);
    } catch (e) {
      if (e instanceof CacheLayerUnusable) return undefined;
      throw e;
    }
    return r;
  }

  async close(): Promise<void> {
    for (const s of this.#all) await s.close();
  }
}
