import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { StoreLayout } from "./layout.ts";

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture: string; os: string; variant?: string };
}

/** Bytes gathered into one write by ContentStore.ingest. */
const WRITE_BATCH = 4 << 20;

export class DigestMismatchError extends Error {
  readonly code = "STORE_DIGEST_MISMATCH";
  /** What the bytes turned out to be, when the error is about a stream just read. */
  readonly actual: { digest: string; size: number } | undefined;
  constructor(message: string, actual?: { digest: string; size: number }) {
    super(message);
    this.actual = actual;
  }
}

/**
 * The content store: blobs addressed by sha256 digest.
 *
 * Contract (as containerd's): a write goes to an ingest file under tmp/,
 * is fsynced, its size and digest verified against what the caller expects,
 * then renamed into blobs/sha256/<hex>. A blob that already exists is
 * success, not an error. Nothing unverified is ever visible under blobs/.
 */
export class ContentStore {
  readonly layout: StoreLayout;
  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.layout.blob(digest));
      return true;
    } catch {
      return false;
    }
  }

  path(digest: string): string {
    return this.layout.blob(digest);
  }

  read(digest: string): Readable {
    return createReadStream(this.layout.blob(digest), { highWaterMark: 1 << 20 });
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse(await readFile(this.layout.blob(digest), "utf8")) as T;
  }

  /**
   * Streams `source` into the store, hashing as it writes. Chunks are
   * gathered into writes of a few MiB, one in flight while the next is
   * gathered: a write per 64 KiB network or stream chunk costs a third of a
   * pull's time.
   */
  async ingest(source: Readable | AsyncIterable<Uint8Array>, expected?: { digest?: string; size?: number }): Promise<{ digest: string; size: number }> {
    const tmp = await this.tempPath();
    const hash = createHash("sha256");
    let size = 0;
    try {
      const fh = await open(tmp, "w");
      let writing: Promise<unknown> = Promise.resolve();
      try {
        let batch: Uint8Array[] = [];
        let batched = 0;
        for await (const c of source as AsyncIterable<Uint8Array>) {
          hash.update(c);
          size += c.length;
          batch.push(c);
          batched += c.length;
          if (batched >= WRITE_BATCH) {
            const out = batch;
            batch = [];
            batched = 0;
            await writing;
            writing = fh.writev(out);
          }
        }
        await writing;
        if (batch.length > 0) await fh.writev(batch);
        await fh.sync();
      } finally {
        await writing.catch(() => undefined);
        await fh.close();
      }
      const digest = `sha256:${hash.digest("hex")}`;
      if (expected?.digest !== undefined && expected.digest !== digest) throw new DigestMismatchError(`blob digest mismatch: expected ${expected.digest}, got ${digest}`, { digest, size });
      if (expected?.size !== undefined && expected.size !== size) throw new DigestMismatchError(`blob size mismatch for ${digest}: expected ${expected.size}, got ${size}`, { digest, size });
      await mkdir(this.layout.blobs, { recursive: true });
      await rename(tmp, this.layout.blob(digest));
      return { digest, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async putBytes(bytes: Uint8Array | string): Promise<{ digest: string; size: number }> {
    const buf = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    const digest = `sha256:${createHash("sha256").update(buf).digest("hex")}`;
    if (await this.has(digest)) return { digest, size: buf.length };
    const tmp = await this.tempPath();
    try {
      const fh = await open(tmp, "w");
      try {
        await fh.writeFile(buf);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await this.commit(tmp, digest);
    } finally {
      await rm(tmp, { force: true });
    }
    return { digest, size: buf.length };
  }

  /** Moves a verified file (already hashed by the caller) into place. */
  async commit(tmp: string, digest: string): Promise<void> {
    await mkdir(this.layout.blobs, { recursive: true });
    const fh = await open(tmp, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.layout.blob(digest));
  }

  async tempPath(): Promise<string> {
    await mkdir(this.layout.tmp, { recursive: true });
    return join(this.layout.tmp, `ingest-${process.pid}-${randomBytes(6).toString("hex")}`);
  }
}
