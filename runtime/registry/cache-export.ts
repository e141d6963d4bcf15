/**
 * `--cache-to`: the cache records of the build's layer keys and their layers, written as the
 * version-2 artifacts of cache-format.ts — each record its own tag, written only when it is not
 * there yet — then REF's constant manifest; to a
 * registry or a local layout folder (cache-layout.ts). Nothing another builder wrote is read back
 * and rewritten, so builders exporting to one REF at once lose no record. A REF holding a
 * version-1 cache has its records written as version-2 records first (their blobs are there).
 * A layer a step made is uploaded as soon as the step ends (`CacheExporter.early`) if the cache
 * lacks its record then (another builder may write it meanwhile: that upload goes unused). A
 * record is never written for a layer whose upload did not complete.
 */
import { StrataError } from "../errors/error.ts";
import type { CacheRecords } from "../store/cache-records.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { Store } from "../store/store.ts";
import { cacheKindOf, cacheRecords, type RemoteCacheRecord } from "./cache-format.ts";
import { readSmallBlob } from "./cache-inline.ts";
import { mapLimit } from "../fs/pool.ts";
import { RegistryClient } from "./client.ts";
import type { RegistryError } from "./errors.ts";
import { type Log, stderrLog } from "./progress.ts";
import { pushLayer } from "./push-image.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";
import { LayoutSink } from "./cache-layout.ts";
import { hasRecord, putRecord, putRoot, rememberCacheSource } from "./cache-records-remote.ts";
import type { CacheExport } from "./cache-spec.ts";
import type { Compression } from "../store/compressed.ts";

/** Where an export writes: a registry repository (below) or a local OCI layout (cache-layout.ts). */
interface CacheSink {
  readonly label: string;
  /** The version-1 records at the target, if it holds a version-1 cache. */
  legacy(): Promise<Record<string, RemoteCacheRecord>>;
  has(key: string): Promise<boolean>;
  putLayer(store: Store, diffId: string, compression: Compression): Promise<Descriptor>;
  /** Writes the record unless it is there; false when it was. */
  putRecord(key: string, r: RemoteCacheRecord): Promise<boolean>;
  /** REF's manifest; its digest. */
  finish(): Promise<string>;
  close(): Promise<void>;
}

function registrySink(refText: string, o: { insecure?: readonly string[]; log: Log }): CacheSink {
  const ref = parseRemote(refText);
  if (ref.reference.startsWith("sha256:")) throw new StrataError("USAGE", `--cache-to ${refText}: a cache is written to a tag, not a digest`);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log: o.log });
  const repo = new Repository(client, ref.repository);
  const checked = new Set<string>();
  return {
    label: refText,
    async legacy() {
      try {
        const m = await repo.getManifest(ref.reference);
        const kind = cacheKindOf(m.bytes, refText);
        if (kind.version === 2) return {};
        return cacheRecords(await readSmallBlob(repo, kind.config, refText), kind.config.digest, refText);
      } catch (e) {
        if ((e as RegistryError).status !== 404) o.log(`cache ${refText}: not reading what is there (${(e as Error).message})`);
        return {};
      }
    },
    async has(key) {
      checked.add(key);
      return hasRecord(repo, ref.reference, key);
    },
    async putLayer(store, diffId, compression) {
      const d = await pushLayer(store, repo, diffId, { compression, docker: false, log: o.log });
      await rememberCacheSource(store, repo, diffId, d);
      return d;
    },
    putRecord: (key, r) => putRecord(repo, ref.reference, key, r, { checked: checked.has(key) }),
    finish: () => putRoot(repo, ref.reference),
    close: () => client.close(),
  };
}

/** At most this many layers are uploaded early at once (the build goes on meanwhile). */
const EARLY_UPLOADS = 2;

/**
 * A `--cache-to` export opened when the build starts: `early` starts the upload of a layer a step
 * just made (of a key the export will write), while the build goes on; `finish` writes the
 * records (see the header), waiting for those uploads. An early upload that failed is tried
 * again by `finish`, whose error (or ignore-error) then stands; a record some other builder wrote
 * meanwhile leaves its early upload unused. The early layer is never the record's unless its
 * upload completed: the record names what the registry acknowledged.
 */
export class CacheExporter {
  readonly #store: Store;
  readonly #to: CacheExport;
  readonly #log: Log;
  readonly #sink: CacheSink;
  readonly #early = new Map<string, Promise<Descriptor | undefined>>();
  #running = 0;
  readonly #queue: (() => void)[] = [];
  #closed = false;

  constructor(store: Store, to: CacheExport, o: { insecure?: readonly string[]; log?: Log } = {}) {
    this.#store = store;
    this.#to = to;
    this.#log = o.log ?? stderrLog;
    this.#sink = to.type === "registry" ? registrySink(to.target, { ...o, log: this.#log }) : new LayoutSink(to.target);
  }

  /** Starts uploading the stored layer `diffId` of `key` unless the cache has that record (once per layer, EARLY_UPLOADS at a time). */
  early(key: string, diffId: string): void {
    if (this.#early.has(diffId)) return;
    const p = this.#slot()
      .then(async () => (this.#closed || (await this.#sink.has(key)) ? undefined : this.#sink.putLayer(this.#store, diffId, this.#to.compression)))
      .catch(() => undefined)
      .finally(() => this.#release());
    this.#early.set(diffId, p);
  }

  #slot(): Promise<void> {
    if (this.#running < EARLY_UPLOADS) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next !== undefined) next();
    else this.#running--;
  }

  /** Exports the records of `keys` (see the header); the REF manifest's digest and the counts. */
  async finish(records: CacheRecords, keys: readonly string[]): Promise<{ digest: string; records: number; written: number }> {
    const { sink, log } = { sink: this.#sink, log: this.#log };
    const store = this.#store;
    const legacy = await sink.legacy();
    let written = 0;
    let there = 0;
    let skipped = 0;
    const layers = new Set<string>();
    await mapLimit(Object.entries(legacy), 4, async ([key, r]) => {
      if (await sink.putRecord(key, r)) written++;
    });
    const local = (await Promise.all([...new Set(keys)].map(async (k) => [k, await records.get(k)] as const))).filter((e): e is readonly [string, NonNullable<(typeof e)[1]>] => e[1] !== undefined);
    await mapLimit(local, 3, async ([key, r]) => {
      if (await sink.has(key)) {
        there++;
        return;
      }
      let out: RemoteCacheRecord = { diffId: null, size: 0, created: r.created };
      if (r.diffId !== null) {
        // A hit this build took from a cache without fetching its layer: nothing to upload; the cache it came from has it.
        if (!(await store.content.has(r.diffId))) {
          skipped++;
          return;
        }
        const d = (await this.#early.get(r.diffId)) ?? (await sink.putLayer(store, r.diffId, this.#to.compression));
        layers.add(d.digest);
        out = { diffId: r.diffId, size: r.size, created: r.created, digest: d.digest, mediaType: d.mediaType, compressedSize: d.size };
      }
      if (await sink.putRecord(key, out)) written++;
      else there++;
    });
    const digest = await sink.finish();
    log(`cache exported to ${sink.label}: ${written + there} records, ${layers.size} layers, ${digest} (${written} written, ${there} there already${skipped > 0 ? `, ${skipped} not exported: their layers were never fetched` : ""})`);
    return { digest, records: written + there, written };
  }

  /** Closes the connection, cutting short the early uploads still going (a failed or interrupted build's, or those no record took), and waits for them to end. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const next of this.#queue.splice(0)) next();
    await this.#sink.close();
    await Promise.allSettled(this.#early.values());
  }
}
