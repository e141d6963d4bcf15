/**
 * buildx's local cache (`type=local,dest=DIR` / `src=DIR`): the artifacts cache-format.ts
 * describes, kept in an OCI image layout folder instead of a registry — `oci-layout`,
 * `blobs/sha256/<hex>`, and `index.json` naming REF's manifest (ref.name "latest") and, for
 * version 2, each record's manifest under its tag as ref.name (`latest-<key hex>`). index.json is
 * the layout's one shared document, so an export changes it under a lock (a directory made with
 * mkdir, which is atomic; one older than 30 s is a dead builder's and is taken over): builders
 * exporting to one DIR at once each add their records, none is lost. Blobs are read and written
 * by digest only (checked to be 64 hex digits), so nothing is read or written outside DIR;
 * everything read is checked against its digest, a layer against its diffID too as it is fetched.
 */
import { copyFile, mkdir, readFile, rename, rmdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { decompressed } from "../layer/decompress.ts";
import { ensureCompressed } from "../image/compression.ts";
import type { Descriptor } from "../store/content-store.ts";
import { MediaType, REF_NAME } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { verifiedFile } from "../store/verified-read.ts";
import { StrataError } from "../errors/error.ts";
import { type CacheSource, cacheKindOf, cacheRecords, type RemoteCacheRecord, recordArtifact, recordConfigOf, recordTag, rootManifest, sha256, verifiedRecord } from "./cache-format.ts";

const REF = "latest";

interface IndexEntry {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

function blobPath(dir: string, digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new StrataError("CACHE_NOT_A_CACHE", `cache ${dir}: invalid digest ${JSON.stringify(digest)}`);
  return join(dir, "blobs", "sha256", digest.slice(7));
}

async function readVerified(dir: string, digest: string): Promise<Buffer> {
  const bytes = await readFile(blobPath(dir, digest));
  const got = sha256(bytes);
  if (got !== digest) throw new StrataError("STORE_CORRUPT", `cache ${dir}: blob ${digest} hashes to ${got}; refused`);
  return bytes;
}

/** index.json's entries by ref.name, or undefined when DIR has no index (no cache there yet). */
async function readIndex(dir: string): Promise<Map<string, IndexEntry> | undefined> {
  let index: { manifests?: IndexEntry[] };
  try {
    index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as typeof index;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StrataError("CACHE_NOT_A_CACHE", `cache ${dir}: index.json: ${(e as Error).message}`);
  }
  return new Map((index.manifests ?? []).map((m) => [m.annotations?.[REF_NAME] ?? m.digest, m]));
}

/** `--cache-from type=local,src=DIR`, or undefined when DIR holds no cache yet. */
export async function openLayout(dir: string): Promise<CacheSource | undefined> {
  const index = await readIndex(dir);
  const root = index?.get(REF);
  if (index === undefined || root === undefined) return undefined;
  const kind = cacheKindOf(await readVerified(dir, root.digest), `cache ${dir}`);
  const v1 = kind.version === 1 ? cacheRecords(await readFile(blobPath(dir, kind.config.digest)), kind.config.digest, `cache ${dir}`) : undefined;
  return {
    label: dir,
    async lookup(key) {
      if (v1) return v1[key];
      const entry = index.get(recordTag(REF, key));
      if (entry === undefined) return undefined;
      const label = `cache ${dir}: ${recordTag(REF, key)}`;
      const config = recordConfigOf(await readVerified(dir, entry.digest), label);
      return verifiedRecord(await readFile(blobPath(dir, config.digest)), config.digest, key, label);
    },
    async fetch(r, store) {
      const { stream } = await decompressed(verifiedFile(blobPath(dir, r.digest), r.digest));
      await store.content.ingest(stream, { digest: r.diffId });
    },
    close: async () => undefined,
  };
}

/** Runs `f` holding DIR's index lock (see the header). */
async function locked<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const lock = join(dir, ".index.lock");
  for (let i = 0; ; i++) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const st = await stat(lock).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 30_000) await rmdir(lock).catch(() => undefined);
      else if (i > 1500) throw new StrataError("CACHE_NOT_A_CACHE", `cache ${dir}: index.json stayed locked (${lock}); remove it if no build is exporting there`);
      await sleep(20);
    }
  }
  try {
    return await f();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}

/** `--cache-to type=local,dest=DIR`: blobs copied in, then the records added to index.json under its lock. */
export class LayoutSink {
  readonly label: string;
  readonly #dir: string;
  #index: Map<string, IndexEntry> | undefined;
  readonly #pending = new Map<string, IndexEntry>();

  constructor(dir: string) {
    this.#dir = dir;
    this.label = dir;
  }

  /** The version-1 records at DIR (to be written again as version 2), or none. */
  async legacy(): Promise<Record<string, RemoteCacheRecord>> {
    this.#index = (await readIndex(this.#dir)) ?? new Map();
    const root = this.#index.get(REF);
    if (root === undefined) return {};
    const kind = cacheKindOf(await readVerified(this.#dir, root.digest), `cache ${this.#dir}`);
    return kind.version === 1 ? cacheRecords(await readFile(blobPath(this.#dir, kind.config.digest)), kind.config.digest, `cache ${this.#dir}`) : {};
  }

  async has(key: string): Promise<boolean> {
    return this.#index?.has(recordTag(REF, key)) === true;
  }

  async putLayer(store: Store, diffId: string, compression: "gzip" | "zstd"): Promise<Descriptor> {
    const d = await ensureCompressed(store, diffId, compression);
    await mkdir(join(this.#dir, "blobs", "sha256"), { recursive: true });
    await copyFile(store.content.path(d.digest), blobPath(this.#dir, d.digest));
    return d;
  }

  async #putBytes(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    await mkdir(join(this.#dir, "blobs", "sha256"), { recursive: true });
    await writeFile(blobPath(this.#dir, digest), bytes);
    return digest;
  }

  async putRecord(key: string, r: RemoteCacheRecord): Promise<boolean> {
    const a = recordArtifact(key, r);
    const manifest = a.manifest(await this.#putBytes(a.config));
    const tag = recordTag(REF, key);
    this.#pending.set(tag, { mediaType: MediaType.manifest, digest: await this.#putBytes(manifest), size: manifest.length, annotations: { [REF_NAME]: tag } });
    return true;
  }

  /** REF's version-2 manifest and the new records into index.json, under the lock; the root manifest's digest. */
  async finish(): Promise<string> {
    const root = rootManifest();
    const manifest = root.manifest(await this.#putBytes(root.config));
    const digest = await this.#putBytes(manifest);
    await writeFile(join(this.#dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await locked(this.#dir, async () => {
      const index = (await readIndex(this.#dir)) ?? new Map<string, IndexEntry>();
      index.set(REF, { mediaType: MediaType.manifest, digest, size: manifest.length, annotations: { [REF_NAME]: REF } });
      for (const [tag, e] of this.#pending) if (!index.has(tag)) index.set(tag, e);
      const tmp = join(this.#dir, `.index.json.${process.pid}.tmp`);
      await writeFile(tmp, JSON.stringify({ schemaVersion: 2, mediaType: MediaType.index, manifests: [...index.values()] }));
      await rename(tmp, join(this.#dir, "index.json"));
    });
    return digest;
  }

  async close(): Promise<void> {}
}
