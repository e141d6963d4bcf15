import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { decompressor } from "../layer/decompress.ts";
import { LimitError } from "../layer/limits.ts";
import { inContext } from "../errors/system.ts";
import { type BlobInfo, DigestMismatchError } from "../store/content.ts";
import type { FileContentWriter } from "../store/content-writer.ts";
import type { Compression } from "../store/compressed.ts";
import type { Store } from "../store/store.ts";

/**
 * Blobs on their way into the store (pull, load): each is streamed into a
 * writer of the store's content store (an ingest file under tmp/), hashed
 * and checked as it is written, and the writer is closed (fsynced) but not
 * committed. Only when a whole image has been verified does `commit` commit
 * the writers, each with the digest and size it was checked against: the
 * store's commit checks them against the writer's running hash, so no byte
 * is read twice. An image that fails leaves nothing in the store (`discard`
 * aborts the writers); a killed process leaves ingest files that the next
 * strata command reclaims. Until then a staged blob is read from its ingest
 * file (`path`, `readJson`). `adopt` stages another process's checked ingest
 * file of the same blob (a pull that another pull downloaded for: registry/
 * fetch-blob.ts, store/ingest-claim.ts).
 */
export class Staging {
  readonly store: Store;
  readonly #staged = new Map<string, FileContentWriter>();
  constructor(store: Store) {
    this.store = store;
  }

  /** Staged or already stored. */
  async has(digest: string): Promise<boolean> {
    return this.#staged.has(digest) || (await this.store.content.has(digest));
  }

  /** The file of a staged or stored blob (read it, never write it). */
  path(digest: string): string {
    return this.#staged.get(digest)?.path ?? this.store.content.path(digest);
  }

  async readJson<T>(digest: string): Promise<T> {
    const w = this.#staged.get(digest);
    if (w === undefined) return this.store.content.readJson<T>(digest);
    return JSON.parse(await readFile(w.path, "utf8")) as T;
  }

  async putBytes(bytes: Uint8Array | string): Promise<BlobInfo> {
    const buf = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    const digest = `sha256:${createHash("sha256").update(buf).digest("hex")}`;
    if (await this.has(digest)) return { digest, size: buf.length };
    return this.#stage(Readable.from([buf]), () => undefined);
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
  ): Promise<BlobInfo & { raw: BlobInfo }> {
    // A full disk or a read-only store names the blob (its label) and the ingest file.
    return this.#ingest(source, expected, compression, diffId).catch((e: unknown) => {
      throw inContext(e, expected.label);
    });
  }

  async #ingest(
    source: AsyncIterable<Uint8Array>,
    expected: { digest?: string | undefined; size?: number | undefined; label: string },
    compression: Compression | null,
    diffId?: string,
  ): Promise<BlobInfo & { raw: BlobInfo }> {
    // A size that is not the descriptor's says more than the hash that follows from it (a reader bounded by the size stops one byte after).
    const refused = (actual: BlobInfo): DigestMismatchError =>
      expected.size !== undefined && actual.size !== expected.size
        ? new DigestMismatchError(`${expected.label}: ${actual.size === expected.size + 1 ? `more than ${expected.size}` : actual.size} bytes received, the descriptor says ${expected.size}; refused`, actual)
        : new DigestMismatchError(`${expected.label}: the bytes received hash to ${actual.digest}, not ${expected.digest}; refused`, actual);
    const mismatch = (actual: BlobInfo): boolean => (expected.digest !== undefined && actual.digest !== expected.digest) || (expected.size !== undefined && actual.size !== expected.size);
    if (compression === null) {
      // Stored as received: the writer's hash is the check.
      const r = await this.#stage(source, (actual) => {
        if (mismatch(actual)) return refused(actual);
        if (diffId !== undefined && actual.digest !== diffId) return new DigestMismatchError(`${expected.label}: the layer hashes to a different diffID than the image config says (${diffId}); refused`, actual);
        return undefined;
      });
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
      if (mismatch(raw)) throw refused(raw);
    }
    // Within the layer size and ratio limits (layer/limits.ts): a bomb stops as it expands.
    const d = decompressor(compression, expected.label);
    const feeding = pipeline(Readable.from(verified(source)), d);
    feeding.catch(() => undefined);
    try {
      const r = await this.#stage(d, (actual) =>
        diffId !== undefined && actual.digest !== diffId ? new DigestMismatchError(`${expected.label}: the uncompressed layer does not hash to the diffID the image config says (${diffId}); refused`, actual) : undefined,
      );
      await feeding;
      return { ...r, raw };
    } catch (e) {
      const fed = await feeding.then(
        () => undefined,
        (x: Error) => x,
      );
      if (fed instanceof DigestMismatchError || fed instanceof LimitError) throw fed;
      if (e instanceof DigestMismatchError || e instanceof LimitError) throw e;
      const x = (fed ?? e) as Error;
      if ((x as { code?: string }).code?.startsWith("Z_")) throw new DigestMismatchError(`${expected.label}: cannot decompress (${x.message}); refused`);
      throw x;
    }
  }

  /**
   * Writes `source` to a new writer, closes it, and keeps it staged unless
   * `check` refuses what it turned out to be (then it is aborted and the
   * refusal thrown). A blob staged twice is kept once.
   */
  async #stage(source: AsyncIterable<Uint8Array>, check: (actual: BlobInfo) => Error | undefined): Promise<BlobInfo> {
    const w = await this.store.content.writer();
    try {
      for await (const c of source) await w.write(c);
      await w.close();
      const actual = { digest: w.digest(), size: w.size };
      const refusal = check(actual);
      if (refusal) throw refusal;
      if (this.#staged.has(actual.digest)) await w.abort();
      else this.#staged.set(actual.digest, w);
      return actual;
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /**
   * Stages the closed ingest file of another strata process (`from`, checked by it to be
   * `info`: store/ingest-claim.ts) as this staging's own. False when it is gone or not that long.
   */
  async adopt(from: string, info: BlobInfo): Promise<boolean> {
    if (this.#staged.has(info.digest)) return true;
    const w = await this.store.content.adopt(from, info);
    if (w === undefined) return false;
    if (this.#staged.has(info.digest)) await w.abort();
    else this.#staged.set(info.digest, w);
    return true;
  }

  /** Commits the staged blobs (all, or those named) into the store. */
  async commit(only?: ReadonlySet<string>): Promise<void> {
    for (const [digest, w] of this.#staged) {
      if (only && !only.has(digest)) continue;
      await w.commit({ digest, size: w.size });
      this.#staged.delete(digest);
    }
  }

  /** Drops whatever is still staged. */
  async discard(): Promise<void> {
    const all = [...this.#staged.values()];
    this.#staged.clear();
    for (const w of all) await w.abort();
  }
}
