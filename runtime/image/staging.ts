import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { ContentStore, DigestMismatchError } from "../store/content-store.ts";
import type { Compression } from "../store/compressed.ts";
import { StoreLayout } from "../store/layout.ts";
import type { Store } from "../store/store.ts";

/**
 * Blobs on their way into the store (pull, load): each is streamed into a
 * staging content store under tmp/stage-<pid>-<rand>/ (same filesystem),
 * hashed and checked as it is written, and only when a whole image has been
 * verified are its blobs renamed into blobs/. An image that fails leaves
 * nothing in the store; a killed process leaves a tmp/ dir that the next
 * strata command reclaims.
 */
export class Staging {
  readonly store: Store;
  readonly dir: string;
  readonly content: ContentStore;
  constructor(store: Store) {
    this.store = store;
    this.dir = join(store.layout.tmp, `stage-${process.pid}-${randomBytes(6).toString("hex")}`);
    this.content = new ContentStore(new StoreLayout(this.dir));
  }

  /** Staged or already stored. */
  async has(digest: string): Promise<boolean> {
    return (await this.content.has(digest)) || (await this.store.content.has(digest));
  }

  async putBytes(bytes: Uint8Array | string): Promise<{ digest: string; size: number }> {
    await mkdir(this.dir, { recursive: true });
    return this.content.putBytes(bytes);
  }

  /**
   * Streams a blob in. `expected` is the blob's own digest and size (as its
   * descriptor says); for a compressed layer (`compression`), the bytes are
   * decompressed on the way and what is stored is the uncompressed layer,
   * which must hash to `diffId`.
   */
  async ingest(
    source: AsyncIterable<Uint8Array>,
    expected: { digest?: string | undefined; size?: number | undefined; label: string },
    compression: Compression | null,
    diffId?: string,
  ): Promise<{ digest: string; size: number; raw: { digest: string; size: number } }> {
    await mkdir(this.dir, { recursive: true });
    const refused = (actual: { digest: string; size: number }): DigestMismatchError =>
      actual.digest !== expected.digest && expected.digest !== undefined
        ? new DigestMismatchError(`${expected.label}: the bytes received hash to ${actual.digest}, not ${expected.digest}; refused`)
        : new DigestMismatchError(`${expected.label}: ${actual.size} bytes received, the descriptor says ${expected.size}; refused`);
    const want = { ...(expected.digest !== undefined && { digest: expected.digest }), ...(expected.size !== undefined && { size: expected.size }) };
    if (compression === null) {
      // Stored as received: the store's own hashing is the check.
      const r = await this.content.ingest(source, want).catch((e: Error) => {
        throw e instanceof DigestMismatchError && e.actual ? refused(e.actual) : e;
      });
      if (diffId !== undefined && r.digest !== diffId) throw new DigestMismatchError(`${expected.label}: the layer hashes to a different diffID than the image config says (${diffId}); refused`);
      return { ...r, raw: r };
    }
    const hash = createHash("sha256");
    let size = 0;
    const raw = { digest: "", size: 0 };
    async function* verified(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const c of src) {
        hash.update(c);
        size += c.length;
        yield c;
      }
      raw.digest = `sha256:${hash.digest("hex")}`;
      raw.size = size;
      if ((want.digest !== undefined && raw.digest !== want.digest) || (want.size !== undefined && size !== want.size)) throw refused(raw);
    }
    const d = compression === "gzip" ? createGunzip({ chunkSize: 1 << 20 }) : createZstdDecompress({ chunkSize: 1 << 20 });
    const feeding = pipeline(Readable.from(verified(source)), d);
    feeding.catch(() => undefined);
    try {
      const r = await this.content.ingest(d, diffId !== undefined ? { digest: diffId } : {});
      await feeding;
      return { ...r, raw };
    } catch (e) {
      const fed = await feeding.then(
        () => undefined,
        (x: Error) => x,
      );
      if (fed instanceof DigestMismatchError) throw fed;
      if (e instanceof DigestMismatchError && diffId !== undefined) throw new DigestMismatchError(`${expected.label}: the uncompressed layer does not hash to the diffID the image config says (${diffId}); refused`);
      const x = (fed ?? e) as Error;
      if ((x as { code?: string }).code?.startsWith("Z_")) throw new DigestMismatchError(`${expected.label}: cannot decompress (${x.message}); refused`);
      throw x;
    }
  }

  /** Moves the staged blobs (all, or those named) into the store. */
  async commit(only?: ReadonlySet<string>): Promise<void> {
    const blobs = this.content.layout.blobs;
    await mkdir(this.store.layout.blobs, { recursive: true });
    for (const hex of await readdir(blobs).catch(() => [] as string[])) {
      if (only && !only.has(`sha256:${hex}`)) continue;
      await rename(join(blobs, hex), join(this.store.layout.blobs, hex));
    }
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
