import type { Readable } from "node:stream";
import { StrataError } from "../errors/error.ts";

/**
 * The content store contract (after containerd's content.Store): blobs
 * addressed by their sha256 digest ("sha256:<64 hex>"), written once,
 * never changed. specs/contracts/content-store.contract.ts checks every
 * implementation against what is written here.
 *
 * Writing. Every blob enters through a writer: `writer()` opens an ingest
 * (private to that writer, invisible to readers), `write` appends and
 * hashes as it goes, `commit(expected)` ends it: the bytes are made durable
 * (fsync), their size and digest (the running hash: nothing is read back)
 * checked against `expected`, and only then does the blob become visible,
 * read-only, under its digest. A blob that is already there is success: the
 * new ingest is dropped, the old blob stays. A mismatch throws
 * DigestMismatchError (STORE_DIGEST_MISMATCH) and leaves nothing: no blob,
 * no ingest. `abort` drops an ingest. Nothing unverified is ever visible;
 * two writers of the same content may commit at the same time and both
 * succeed. `ingest` and `putBytes` are a writer, its writes and its commit.
 *
 * Reading. `info` is undefined for a blob that is not there (not an error);
 * `read` and `readBytes` of one fail with BlobNotFoundError
 * (STORE_BLOB_NOT_FOUND): `read` through the stream's error, `readBytes` by
 * rejecting. `read` checks the bytes against the digest as they go: a blob
 * that does not hash to it errors the stream (STORE_CORRUPT) before its last
 * chunk. `list` walks the committed blobs (in no particular order);
 * `delete` removes one and says whether it was there.
 */
export interface ContentStore {
  /** The committed blob's digest and size, or undefined when it is not stored. */
  info(digest: string): Promise<BlobInfo | undefined>;
  /** Whether the blob is committed. */
  has(digest: string): Promise<boolean>;
  /** The blob's bytes as a stream; a missing blob errors the stream with BlobNotFoundError. */
  read(digest: string): Readable;
  /** The whole blob (for small ones: manifests, configs); rejects with BlobNotFoundError. */
  readBytes(digest: string): Promise<Buffer>;
  /** Opens an ingest. */
  writer(): Promise<ContentWriter>;
  /** A writer fed from `source`, committed with `expected`; aborted when anything fails. */
  ingest(source: Readable | AsyncIterable<Uint8Array>, expected?: Expected): Promise<BlobInfo>;
  /** A writer fed with `bytes`, committed with their digest (and `expected`, when given). */
  putBytes(bytes: Uint8Array | string, expected?: Expected): Promise<BlobInfo>;
  /** Removes a committed blob; false when there was none. */
  delete(digest: string): Promise<boolean>;
  /** Every committed blob, once each, in no particular order. */
  list(): AsyncIterable<BlobInfo>;
}

/**
 * One ingest: bytes on their way into the store, hashed as they are written.
 * Once committed or aborted it takes no more writes (WriterClosedError,
 * STORE_WRITER_CLOSED); `abort` after either is a no-op, so callers can
 * abort in a `finally`; `commit` after `commit` returns the same info.
 */
export interface ContentWriter {
  /**
   * Appends a chunk. The writer copies it: the caller may reuse the chunk
   * once the promise resolves, which is when the writer can take the next
   * one (writes are batched; a failed write surfaces here or at commit).
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /** sha256 of the bytes written so far. */
  digest(): string;
  /** Makes the bytes durable, verifies them against `expected`, and makes the blob visible (see ContentStore). */
  commit(expected?: Expected): Promise<BlobInfo>;
  /** Drops the ingest. */
  abort(): Promise<void>;
}

export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
}

/** What a commit checks: the digest, the size, or both; nothing means "whatever the bytes hash to". */
export interface Expected {
  readonly digest?: string | undefined;
  readonly size?: number | undefined;
}

export class DigestMismatchError extends StrataError {
  /** What the bytes turned out to be, when the error is about a stream just read. */
  readonly actual: BlobInfo | undefined;
  constructor(message: string, actual?: BlobInfo) {
    super("STORE_DIGEST_MISMATCH", message);
    this.actual = actual;
  }
}

export class BlobNotFoundError extends StrataError {
  readonly digest: string;
  constructor(digest: string) {
    super("STORE_BLOB_NOT_FOUND", `blob ${digest} is not in the store`);
    this.digest = digest;
  }
}

export class WriterClosedError extends StrataError {
  constructor(message: string) {
    super("STORE_WRITER_CLOSED", message);
  }
}
