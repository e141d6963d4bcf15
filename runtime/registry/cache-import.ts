import { createHash } from "node:crypto";
import type { CacheRecord } from "../store/cache-records.ts";
import { Staging } from "../image/staging.ts";
import type { Store } from "../store/store.ts";
import { RegistryClient } from "./client.ts";
import { CACHE_CONFIG_TYPE, type RemoteCacheConfig, type RemoteCacheRecord } from "./cache-format.ts";
import { RegistryError } from "./errors.ts";
import { type Log, mb, short, stderrLog } from "./progress.ts";
import { fetchLayer } from "./fetch-blob.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

/**
 * A remote cache imported for one build (`--cache-from`; format in
 * cache-format.ts): the records are read when it opens; `fetch` downloads a
 * record's layer into the store (verified) only when the executor asks.
 */
export class RemoteCache {
  readonly records: ReadonlyMap<string, RemoteCacheRecord>;
  readonly #sources: readonly { repo: Repository; records: Record<string, RemoteCacheRecord> }[];
  readonly #store: Store;
  readonly #log: Log;

  private constructor(store: Store, sources: { repo: Repository; records: Record<string, RemoteCacheRecord> }[], log: Log) {
    this.#store = store;
    this.#sources = sources;
    this.#log = log;
    const all = new Map<string, RemoteCacheRecord>();
    for (const s of sources) for (const [k, r] of Object.entries(s.records)) if (!all.has(k)) all.set(k, r);
    this.records = all;
  }

  /** Opens each `--cache-from` ref; one that does not exist yet is skipped with a note (the first build has no cache). */
  static async open(store: Store, refs: readonly string[], o: { insecure?: readonly string[]; log?: Log } = {}): Promise<RemoteCache> {
    const log = o.log ?? stderrLog;
    const sources: { repo: Repository; records: Record<string, RemoteCacheRecord> }[] = [];
    for (const r of refs) {
      const ref = parseRemote(r);
      const repo = new Repository(new RegistryClient(ref.host, { insecure: o.insecure ?? [], log }), ref.repository);
      try {
        sources.push({ repo, records: await readCacheConfig(repo, ref.reference) });
      } catch (e) {
        await repo.client.close();
        if ((e as RegistryError).status !== 404) throw e;
        log(`cache ${r}: not found; building without it`);
      }
    }
    return new RemoteCache(store, sources, log);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  /** The record for `key` with its layer in the store, or undefined when the remote cache has no such key. */
  async fetch(key: string): Promise<CacheRecord | undefined> {
    for (const { repo, records } of this.#sources) {
      const r = records[key];
      if (!r) continue;
      const record: CacheRecord = { diffId: r.diffId, size: r.size, created: r.created };
      if (r.diffId === null || (await this.#store.content.has(r.diffId))) return record;
      if (!r.digest || !r.mediaType || r.compressedSize === undefined) continue;
      const staging = new Staging(this.#store);
      try {
        this.#log(`${short(r.digest)}: Pulling cached layer from ${repo.label} (${mb(r.compressedSize)})`);
        await fetchLayer(repo, staging, { mediaType: r.mediaType, digest: r.digest, size: r.compressedSize }, r.diffId, this.#log);
        await staging.commit();
      } finally {
        await staging.discard();
      }
      return record;
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const s of this.#sources) await s.repo.client.close();
  }
}

export async function readCacheConfig(repo: Repository, reference: string): Promise<Record<string, RemoteCacheRecord>> {
  const m = await repo.getManifest(reference);
  const manifest = JSON.parse(m.bytes.toString("utf8")) as { config?: { mediaType: string; digest: string; size: number } };
  if (manifest.config?.mediaType !== CACHE_CONFIG_TYPE) throw new RegistryError("CACHE_NOT_A_CACHE", `${repo.label}:${reference} is not a Strata cache (config ${manifest.config?.mediaType ?? "none"})`);
  const chunks: Buffer[] = [];
  for await (const c of await repo.openBlob(manifest.config.digest)) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== manifest.config.digest) throw new RegistryError("REGISTRY_DIGEST_MISMATCH", `${repo.label}: cache config ${manifest.config.digest} hashes to ${digest}; refused`);
  const config = JSON.parse(bytes.toString("utf8")) as RemoteCacheConfig;
  if (config.version !== 1) throw new RegistryError("CACHE_VERSION", `${repo.label}:${reference}: cache version ${config.version} is not supported`);
  return config.records;
}
