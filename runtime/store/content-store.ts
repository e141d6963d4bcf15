import { createHash } from "node:crypto";
import { open, readdir, readFile, rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { type BlobInfo, BlobNotFoundError, type ContentStore, type ContentWriter, type Expected } from "./content.ts";
import { FileContentWriter } from "./content-writer.ts";
import { HashStates, type PrefixState } from "./hash-states.ts";
import type { StoreLayout } from "./layout.ts";
import { leaseOf } from "./leases.ts";
import { verifiedChunks } from "./verified-read.ts";

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture: string; os: string; variant?: string };
}

/** Bytes per chunk of a blob read as a stream. */
const READ_CHUNK = 1 << 20;

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === "ENOENT";

/**
 * The content store on disk (the contract is ContentStore, content.ts): the
 * store root's OCI layout, blobs/sha256/<hex>, each file read-only (0444)
 * and named by the sha256 of its bytes, with ingests under tmp/
 * (content-writer.ts). Beside the contract: `path`, the committed blob's
 * file, for code that hands files to others (uploads, archives); it must
 * never be written to; `writerAfter`, an ingest that starts with a
 * stored blob's first bytes; and `adopt`, an ingest that is a link to
 * another process's checked ingest of the same blob (ingest-claim.ts).
 * What this process asks about or commits is leased (leases.ts): gc keeps
 * it while the process lives.
 */
export class FileContentStore implements ContentStore {
  readonly layout: StoreLayout;
  readonly hashStates: HashStates;
  constructor(layout: StoreLayout) {
    this.layout = layout;
    this.hashStates = new HashStates(layout);
  }

  path(digest: string): string {
    return this.layout.blob(digest);
  }

  /** Leased first (leases.ts): a blob this process has seen stays until it exits. */
  async info(digest: string): Promise<BlobInfo | undefined> {
    await leaseOf(this.layout).hold(digest);
    try {
      const st = await stat(this.layout.blob(digest));
      return { digest, size: st.size };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.info(digest)) !== undefined;
  }

  /** Checked against the digest as it is read (verified-read.ts): a corrupt blob errors the stream with CorruptBlobError before its last chunk. */
  read(digest: string): Readable {
    return Readable.from(verifiedChunks(chunks(this.layout.blob(digest), digest), digest), { objectMode: false, highWaterMark: READ_CHUNK });
  }

  async readBytes(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.layout.blob(digest));
    } catch (e) {
      throw isMissing(e) ? new BlobNotFoundError(digest) : e;
    }
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse((await this.readBytes(digest)).toString("utf8")) as T;
  }

  writer(): Promise<FileContentWriter> {
    return FileContentWriter.open(this.layout);
  }

  /** A writer whose first bytes are the first `prefix.length` of the stored blob `digest`, not hashed again (hash-states.ts). */
  writerAfter(digest: string, prefix: PrefixState): Promise<FileContentWriter> {
    return FileContentWriter.after(this.layout, this.layout.blob(digest), prefix.length, prefix.state);
  }

  /** An ingest that is a link to another process's closed, checked ingest file (content-writer.ts, `adopt`). */
  adopt(from: string, info: BlobInfo): Promise<FileContentWriter | undefined> {
    return FileContentWriter.adopt(this.layout, from, info);
  }

  async ingest(source: Readable | AsyncIterable<Uint8Array>, expected?: Expected): Promise<BlobInfo> {
    const w = await this.writer();
    try {
      for await (const c of source as AsyncIterable<Uint8Array>) await w.write(c);
      return await w.commit(expected);
    } finally {
      await w.abort();
    }
  }

  async putBytes(bytes: Uint8Array | string, expected?: Expected): Promise<BlobInfo> {
    const buf = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    const digest = `sha256:${createHash("sha256").update(buf).digest("hex")}`;
    // Checked before anything is written: a config or manifest written again is common.
    if ((expected?.digest === undefined || expected.digest === digest) && (expected?.size === undefined || expected.size === buf.length) && (await this.has(digest))) return { digest, size: buf.length };
    const w: ContentWriter = await this.writer();
    try {
      await w.write(buf);
      return await w.commit({ digest: expected?.digest ?? digest, size: expected?.size });
    } finally {
      await w.abort();
    }
  }

  async delete(digest: string): Promise<boolean> {
    const path = this.layout.blob(digest);
    try {
      await stat(path);
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
    await rm(path, { force: true });
    return true;
  }

  async *list(): AsyncGenerator<BlobInfo> {
    const names = await readdir(this.layout.blobs).catch((e: unknown) => {
      if (isMissing(e)) return [] as string[];
      throw e;
    });
    for (const hex of names) {
      if (!/^[a-f0-9]{64}$/.test(hex)) continue;
      const st = await stat(`${this.layout.blobs}/${hex}`).catch(() => undefined);
      if (st?.isFile()) yield { digest: `sha256:${hex}`, size: st.size };
    }
  }
}

/** A blob's bytes in chunks of READ_CHUNK; a missing blob is BlobNotFoundError. */
async function* chunks(path: string, digest: string): AsyncGenerator<Buffer> {
  const fh = await open(path, "r").catch((e: unknown) => {
    throw isMissing(e) ? new BlobNotFoundError(digest) : e;
  });
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) return;
      yield bytesRead < READ_CHUNK ? buf.subarray(0, bytesRead) : buf;
    }
  } finally {
    await fh.close();
  }
}
