import { randomBytes } from "node:crypto";
import { type FileHandle, link, mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type BlobInfo, type ContentWriter, DigestMismatchError, type Expected, WriterClosedError } from "./content.ts";
import { type Hasher, nodeHasher, savableHasher } from "./hasher.ts";
import type { StoreLayout } from "./layout.ts";
import { leaseOf } from "./leases.ts";
import { copyPrefix } from "../fs/copy-direct.ts";
import { exists } from "../fs/exists.ts";
import { withPath } from "../errors/system.ts";
import { failpoint } from "../fs/failpoint.ts";

function ingestPath(layout: StoreLayout): string {
  return join(layout.tmp, `ingest-${process.pid}-${randomBytes(8).toString("hex")}`);
}

/**
 * Bytes gathered into one write: a write per 64 KiB network or stream chunk costs a third of a
 * pull's time. Not more: the two batches are fresh memory in a short-lived process, and on a VM
 * each first touch of a page is a fault of ~15 µs (4 MiB batches were 2,048 faults, ~30 ms of a
 * 53 MB pull; 1 MiB, 512).
 */
const WRITE_BATCH = 1 << 20;
/** Bytes written between datasyncs started while an ingest goes on (`#syncAhead`). */
const SYNC_AHEAD = 16 << 20;
/** A whole batch of zeros is not written: the file keeps a hole there (see `#writeAll`). */
const ZEROS = Buffer.alloc(WRITE_BATCH);

/**
 * The file store's ingest (the ContentWriter contract in content.ts): an
 * ingest file tmp/ingest-<pid>-<rand> (the pid lets the next strata command
 * reclaim it if this process dies), hashed as chunks arrive and copied into
 * one of two batch buffers of 1 MiB: one is written while the other
 * fills, so a producer can reuse its own buffer (the layer tar writer does)
 * and no memory is allocated per chunk. `close` ends
 * the writing (flush, read-only, fsync); `commit` closes, checks the running
 * digest and size, and renames the file to blobs/sha256/<hex>. `after` opens
 * an ingest that already holds the first bytes of a stored blob (a reflink,
 * else direct writes: fs/copy-direct.ts; synced) and resumes their saved hash state (hash-states.ts):
 * a merged layer that starts with a big layer as it is. Until then
 * `path` is readable by its owner (staging reads a staged manifest there)
 * and by nobody else who does not know it.
 *
 * A batch that is all zeros is skipped, leaving a hole, and the file is
 * extended to its size at close: a layer with a 10 GiB sparse file (case 44
 * of RELIABILITY.md) is a 10 GiB blob that takes a few MB of disk, and is
 * written in the time it takes to hash it. Readers see the same bytes.
 */
export class FileContentWriter implements ContentWriter {
  readonly path: string;
  readonly #layout: StoreLayout;
  readonly #fh: FileHandle;
  readonly #hash: Hasher;
  #size = 0;
  /** Bytes handed to the file so far (positions of the batches). */
  #dispatched = 0;
  /** The two batch buffers (made on first use); `#fill` bytes of the current one are taken. */
  #buffers: Buffer[] = [];
  #current = 0;
  #fill = 0;
  #writing: Promise<void> = Promise.resolve();
  #failed: Error | undefined;
  #state: "open" | "closing" | "closed" | "committed" | "aborted" = "open";
  #closing: Promise<void> | undefined;
  #final: string | undefined;
  #committing: Promise<BlobInfo> | undefined;
  /** Some batch was left as a hole: the file must be extended to its size at close. */
  #holes = false;
  /** A datasync of the bytes so far in flight (`#syncAhead`), and where the last one began. */
  #synced: Promise<void> | undefined;
  #syncedUpTo = 0;

  private constructor(layout: StoreLayout, path: string, fh: FileHandle, hash: Hasher, size: number) {
    this.#layout = layout;
    this.path = path;
    this.#fh = fh;
    this.#hash = hash;
    this.#size = size;
    this.#dispatched = size;
  }

  static async open(layout: StoreLayout): Promise<FileContentWriter> {
    await mkdir(layout.tmp, { recursive: true });
    const path = ingestPath(layout);
    return new FileContentWriter(layout, path, await open(path, "wx", 0o600), nodeHasher(), 0);
  }

  /**
   * An ingest that starts with the first `length` bytes of the blob file `from`, whose hash
   * state after them is `state` (proved by the caller: hash-states.ts). Those bytes are
   * copied (a reflink, else direct writes: copy-direct.ts) and synced here, so the commit has
   * only the rest to write.
   */
  static async after(layout: StoreLayout, from: string, length: number, state: Uint8Array): Promise<FileContentWriter> {
    await mkdir(layout.tmp, { recursive: true });
    const path = ingestPath(layout);
    let fh: FileHandle | undefined;
    try {
      await copyPrefix(from, path, length);
      fh = await open(path, "r+");
      await fh.datasync();
      return new FileContentWriter(layout, path, fh, await savableHasher(state), length);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      await rm(path, { force: true });
      throw e;
    }
  }

  /**
   * An ingest that is a hard link to `from`, a closed ingest of another strata process whose
   * bytes that process checked to be `info` (ingest-claim.ts): closed already, ready to commit.
   * Undefined when `from` is gone (its owner committed or dropped it) or is not `info.size` long.
   */
  static async adopt(layout: StoreLayout, from: string, info: BlobInfo): Promise<FileContentWriter | undefined> {
    await mkdir(layout.tmp, { recursive: true });
    const path = ingestPath(layout);
    try {
      await link(from, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const fh = await open(path, "r");
    const st = await fh.stat();
    await fh.close();
    if (st.size !== info.size || (st.mode & 0o222) !== 0) {
      await rm(path, { force: true });
      return undefined;
    }
    const w = new FileContentWriter(layout, path, fh, nodeHasher(), info.size);
    w.#state = "closed";
    w.#closing = Promise.resolve();
    w.#final = info.digest;
    return w;
  }

  get size(): number {
    return this.#size;
  }

  digest(): string {
    return this.#final ?? this.#hash.peek();
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#state !== "open") throw new WriterClosedError(`ingest ${this.path} is ${this.#state}: no more writes`);
    if (this.#failed) throw this.#failed;
    if (chunk.length === 0) return;
    this.#hash.update(chunk);
    this.#size += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const buf = this.#buffer();
      const n = Math.min(chunk.length - at, buf.length - this.#fill);
      buf.set(chunk.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === buf.length) {
        // The other buffer is free once the write in flight is done.
        await this.#writing;
        if (this.#failed) throw this.#failed;
        this.#dispatch();
      }
    }
  }

  #buffer(): Buffer {
    let buf = this.#buffers[this.#current];
    if (buf === undefined) {
      buf = Buffer.allocUnsafeSlow(WRITE_BATCH);
      this.#buffers[this.#current] = buf;
    }
    return buf;
  }

  /** Starts writing the current buffer at its position and switches to the other one. */
  #dispatch(): void {
    if (this.#fill === 0) return;
    const out = (this.#buffers[this.#current] as Buffer).subarray(0, this.#fill);
    const pos = this.#dispatched;
    this.#dispatched += this.#fill;
    this.#fill = 0;
    this.#current = 1 - this.#current;
    this.#writing = this.#writeAll(out, pos).catch((e: Error) => {
      this.#failed ??= e;
    });
  }

  async #writeAll(buf: Buffer, pos: number): Promise<void> {
    if (buf.length === WRITE_BATCH && buf.equals(ZEROS)) {
      this.#holes = true;
      return;
    }
    let at = 0;
    while (at < buf.length) {
      // A short write (rare: a signal, a full disk about to fail): go on from where it stopped.
      const { bytesWritten } = await this.#fh.write(buf, at, buf.length - at, pos + at).catch((e: unknown) => {
        throw withPath(e, this.path); // a full disk names the ingest file
      });
      at += bytesWritten;
    }
    this.#syncAhead();
  }

  /**
   * Every SYNC_AHEAD bytes, a datasync of what is written so far, not waited for: the disk
   * takes the blob while the rest arrives, and the fsync at close has only the tail to write.
   */
  #syncAhead(): void {
    if (this.#synced !== undefined || this.#dispatched - this.#syncedUpTo < SYNC_AHEAD) return;
    this.#syncedUpTo = this.#dispatched;
    this.#synced = this.#fh.datasync().then(
      () => {
        this.#synced = undefined;
      },
      () => {
        this.#synced = undefined; // the sync at close reports the failure
      },
    );
  }

  /** Ends the writing: the last batch, read-only (0444), fsync. The bytes are durable but not yet a blob. */
  close(): Promise<void> {
    if (this.#state === "open") {
      this.#state = "closing";
      this.#closing = this.#close();
    }
    if (this.#closing === undefined) return Promise.reject(new WriterClosedError(`ingest ${this.path} is ${this.#state}`));
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#writing;
      this.#dispatch();
      await this.#writing;
      this.#buffers = [];
      await this.#synced;
      if (this.#failed) throw this.#failed;
      if (this.#holes) await this.#fh.truncate(this.#dispatched);
      await this.#fh.chmod(0o444);
      await this.#fh.sync().catch((e: unknown) => {
        throw withPath(e, this.path);
      });
      this.#final = this.#hash.final();
    } finally {
      await this.#fh.close().catch(() => undefined);
    }
    this.#state = "closed";
  }

  commit(expected?: Expected): Promise<BlobInfo> {
    if (this.#state === "aborted") return Promise.reject(new WriterClosedError(`ingest ${this.path} was aborted`));
    this.#committing ??= this.#commit(expected);
    return this.#committing;
  }

  async #commit(expected: Expected | undefined): Promise<BlobInfo> {
    try {
      await this.close();
      const info = { digest: this.digest(), size: this.#size };
      if (expected?.digest !== undefined && expected.digest !== info.digest) throw new DigestMismatchError(`blob digest mismatch: expected ${expected.digest}, got ${info.digest}`, info);
      if (expected?.size !== undefined && expected.size !== info.size) throw new DigestMismatchError(`blob size mismatch for ${info.digest}: expected ${expected.size}, got ${info.size}`, info);
      const blob = this.#layout.blob(info.digest);
      // Leased before it is a blob: a collection running now keeps it (leases.ts).
      await leaseOf(this.#layout).hold(info.digest);
      if (await exists(blob)) await rm(this.path, { force: true });
      else {
        await mkdir(this.#layout.blobs, { recursive: true });
        failpoint("fsync-rename");
        // Another writer of the same bytes may rename at the same moment: either file is the blob.
        await rename(this.path, blob);
        // When the blob is already a link to this very file (an adopted ingest, `adopt`), rename does nothing: drop the name.
        await rm(this.path, { force: true });
      }
      this.#state = "committed";
      return info;
    } catch (e) {
      await this.#drop();
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.#committing) {
      // A commit in flight finishes (it cleans up after itself when it fails).
      await this.#committing.catch(() => undefined);
      return;
    }
    if (this.#state === "aborted") return;
    await this.#drop();
  }

  async #drop(): Promise<void> {
    const was = this.#state;
    this.#state = "aborted";
    if (was === "closing") await this.#closing?.catch(() => undefined);
    else if (was === "open") {
      await this.#writing;
      await this.#synced;
      this.#buffers = [];
      await this.#fh.close().catch(() => undefined);
    }
    await rm(this.path, { force: true });
  }
}

