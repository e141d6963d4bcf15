/**
 * buildx's local cache (`type=local,dest=DIR` / `src=DIR`): the artifact cache-format.ts
 * describes, kept in an OCI image layout folder instead of a registry — `oci-layout`,
 * `index.json` naming the cache manifest (ref.name "latest"), `blobs/sha256/<hex>`.
 * Blobs are read and written by digest only (checked to be 64 hex digits), so nothing is read
 * or written outside DIR; a layer is checked against its digest and its diffID as it is fetched.
 */
import { copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { decompressed } from "../layer/decompress.ts";
import { ensureCompressed } from "../image/compression.ts";
import type { Descriptor } from "../store/content-store.ts";
import { MediaType, REF_NAME } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { verifiedFile } from "../store/verified-read.ts";
import { StrataError } from "../errors/error.ts";
import { cacheConfigOf, cacheRecords, type CacheSource, type RemoteCacheRecord } from "./cache-format.ts";

function blobPath(dir: string, digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new StrataError("CACHE_NOT_A_CACHE", `cache ${dir}: invalid digest ${JSON.stringify(digest)}`);
  return join(dir, "blobs", "sha256", digest.slice(7));
}

/** The manifest index.json names, or undefined when DIR has no index (no cache there yet). */
async function readIndex(dir: string): Promise<Buffer | undefined> {
  let index: { manifests?: { digest: string }[] };
  try {
    index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as typeof index;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StrataError("CACHE_NOT_A_CACHE", `cache ${dir}: index.json: ${(e as Error).message}`);
  }
  const m = index.manifests?.[0];
  if (m === undefined) return undefined;
  const bytes = await readFile(blobPath(dir, m.digest));
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== m.digest) throw new StrataError("STORE_CORRUPT", `cache ${dir}: manifest ${m.digest} hashes to ${digest}; refused`);
  return bytes;
}

/** The records of the local cache in DIR, or undefined when there is none yet. */
export async function layoutRecords(dir: string): Promise<Record<string, RemoteCacheRecord> | undefined> {
  const manifest = await readIndex(dir);
  if (manifest === undefined) return undefined;
  const config = cacheConfigOf(manifest, `cache ${dir}`);
  return cacheRecords(await readFile(blobPath(dir, config.digest)), config.digest, `cache ${dir}`);
}

/** `--cache-from type=local,src=DIR`, or undefined when DIR holds no cache yet. */
export async function openLayout(dir: string): Promise<CacheSource | undefined> {
  const records = await layoutRecords(dir);
  if (records === undefined) return undefined;
  return {
    label: dir,
    records,
    async fetch(r, store) {
      const { stream } = await decompressed(verifiedFile(blobPath(dir, r.digest), r.digest));
      await store.content.ingest(stream, { digest: r.diffId });
    },
    close: async () => undefined,
  };
}

/** `--cache-to type=local,dest=DIR`: blobs copied in, then index.json replaced last. */
export class LayoutSink {
  readonly label: string;
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.label = dir;
  }

  async existing(): Promise<Record<string, RemoteCacheRecord>> {
    return (await layoutRecords(this.#dir)) ?? {};
  }

  async putLayer(store: Store, diffId: string, compression: "gzip" | "zstd"): Promise<Descriptor> {
    const d = await ensureCompressed(store, diffId, compression);
    await mkdir(join(this.#dir, "blobs", "sha256"), { recursive: true });
    await copyFile(store.content.path(d.digest), blobPath(this.#dir, d.digest));
    return d;
  }

  async putBytes(bytes: Buffer): Promise<string> {
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    await mkdir(join(this.#dir, "blobs", "sha256"), { recursive: true });
    await writeFile(blobPath(this.#dir, digest), bytes);
    return digest;
  }

  async putManifest(bytes: Buffer): Promise<string> {
    const digest = await this.putBytes(bytes);
    await writeFile(join(this.#dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    const index = { schemaVersion: 2, mediaType: MediaType.index, manifests: [{ mediaType: MediaType.manifest, digest, size: bytes.length, annotations: { [REF_NAME]: "latest" } }] };
    const tmp = join(this.#dir, `.index.json.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(index));
    await rename(tmp, join(this.#dir, "index.json"));
    return digest;
  }

  async close(): Promise<void> {}
}

