import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { StoreLayout } from "./layout.ts";

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture: string; os: string; variant?: string };
}

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

  /** Streams `source` into the store, hashing as it writes. */
  async ingest(source: Readable | AsyncIterable<Uint8Array>, expected?: { digest?: string; size?: number }): Promise<{ digest: string; size: number }> {
    const tmp = await this.tempPath();
    const hash = createHash("sha256");
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const c of chunks) {
            hash.update(c);
            size += c.length;
            yield c;
          }
        },
        createWriteStream(tmp, { highWaterMark: 1 << 20 }),
      );
      const digest = `sha256:${hash.digest("hex")}`;
      if (expected?.digest !== undefined && expected.digest !== digest) throw new DigestMismatchError(`blob digest mismatch: expected ${expected.digest}, got ${digest}`, { digest, size });
      if (expected?.size !== undefined && expected.size !== size) throw new DigestMismatchError(`blob size mismatch for ${digest}: expected ${expected.size}, got ${size}`, { digest, size });
      await this.commit(tmp, digest);
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
