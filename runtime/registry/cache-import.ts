import type { CacheRecord } from "../store/cache-records.ts";
import { Staging } from "../image/staging.ts";
import type { Store } from "../store/store.ts";
import { RegistryClient } from "./client.ts";
import { type CacheSource, cacheConfigOf, cacheRecords, type RemoteCacheRecord } from "./cache-format.ts";
import { readInlineCache, readSmallBlob } from "./cache-inline.ts";
import { imageManifest } from "./pull.ts";
import type { RegistryError } from "./errors.ts";
import { type Log, mb, short, stderrLog } from "./progress.ts";
import { fetchLayer } from "./fetch-blob.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";
import { openLayout } from "./cache-layout.ts";
import { type CacheImport, cacheLabel } from "./cache-spec.ts";

/** A registry cache: its records, or undefined (the connection closed) when REF does not exist yet. */
async function openRegistry(r: string, o: { insecure?: readonly string[]; log: Log }): Promise<CacheSource | undefined> {
  const ref = parseRemote(r);
  const repo = new Repository(new RegistryClient(ref.host, { insecure: o.insecure ?? [], log: o.log }), ref.repository);
  try {
    const records = await readCacheConfig(repo, ref.reference).catch(async (e: unknown) => {
      // An image, not a cache: the inline cache in its config, if it was built with one (cache-inline.ts).
      if ((e as RegistryError).code !== "CACHE_NOT_A_CACHE") throw e;
      const { manifest } = await imageManifest(repo, ref.reference, undefined, `${repo.label}:${ref.reference}`);
      return readInlineCache(repo, manifest, `${repo.label}:${ref.reference}`);
    });
    return {
      label: repo.label,
      records,
      async fetch(rec, store, log) {
        const staging = new Staging(store);
        try {
          await fetchLayer(repo, staging, { mediaType: rec.mediaType, digest: rec.digest, size: rec.compressedSize }, rec.diffId, log);
          await staging.commit();
        } finally {
          await staging.discard();
        }
      },
      close: () => repo.client.close(),
    };
  } catch (e) {
    await repo.client.close();
    if ((e as RegistryError).status !== 404) throw e;
    return undefined;
  }
}

/**
 * The build caches imported for one build (`--cache-from`; format in
 * cache-format.ts): the records are read when it opens; `fetch` downloads a
 * record's layer into the store (verified) only when the executor asks.
 */
export class RemoteCache {
  readonly records: ReadonlyMap<string, RemoteCacheRecord>;
  readonly #sources: readonly CacheSource[];
  readonly #store: Store;
  readonly #log: Log;

  private constructor(store: Store, sources: CacheSource[], log: Log) {
    this.#store = store;
    this.#sources = sources;
    this.#log = log;
    const all = new Map<string, RemoteCacheRecord>();
    for (const s of sources) for (const [k, r] of Object.entries(s.records)) if (!all.has(k)) all.set(k, r);
    this.records = all;
  }

  /**
   * Opens each `--cache-from` cache; one that does not exist yet is skipped with a note (the first
   * build has no cache), one that cannot be read (unreachable, not a cache) with a warning: as in
   * BuildKit, a failed cache import does not fail the build (only a bad option value does).
   */
  static async open(store: Store, caches: readonly CacheImport[], o: { insecure?: readonly string[]; log?: Log } = {}): Promise<RemoteCache> {
    const log = o.log ?? stderrLog;
    const sources: CacheSource[] = [];
    for (const c of caches) {
      try {
        const s = c.type === "registry" ? await openRegistry(c.ref, { ...o, log }) : await openLayout(c.src);
        if (s === undefined) log(`cache ${cacheLabel(c)}: not found; building without it`);
        else sources.push(s);
      } catch (e) {
        log(`warning: --cache-from ${cacheLabel(c)}: not imported (${(e as Error).message}); building without it`);
      }
    }
    return new RemoteCache(store, sources, log);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  /** The record for `key` with its layer in the store, or undefined when the remote cache has no such key. */
  async fetch(key: string): Promise<CacheRecord | undefined> {
    for (const source of this.#sources) {
      const r = source.records[key];
      if (!r) continue;
      const record: CacheRecord = { diffId: r.diffId, size: r.size, created: r.created };
      if (r.diffId === null || (await this.#store.content.has(r.diffId))) return record;
      if (!r.digest || !r.mediaType || r.compressedSize === undefined) continue;
      this.#log(`${short(r.digest)}: Pulling cached layer from ${source.label} (${mb(r.compressedSize)})`);
      try {
        await source.fetch({ ...r, digest: r.digest, mediaType: r.mediaType, compressedSize: r.compressedSize, diffId: r.diffId }, this.#store, this.#log);
      } catch (e) {
        // A blob the repository no longer has (a registry's garbage collection): a miss, as BuildKit's.
        if ((e as RegistryError).status !== 404) throw e;
        this.#log(`warning: ${source.label}: cached layer ${short(r.digest)} is gone (${(e as Error).message}); running the step`);
        continue;
      }
      return record;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const s of this.#sources) await s.close();
  }
}

export async function readCacheConfig(repo: Repository, reference: string): Promise<Record<string, RemoteCacheRecord>> {
  const m = await repo.getManifest(reference);
  const config = cacheConfigOf(m.bytes, `${repo.label}:${reference}`);
  return cacheRecords(await readSmallBlob(repo, config, `${repo.label}:${reference}`), config.digest, `${repo.label}:${reference}`);
}

