/**
 * Reading a stored blob to build on it or to send it away (unpack, save, push), checked against
 * its digest as the bytes go out: one pass, no read before the read. The last chunk is held back
 * until the hash is known, so a reader of a corrupt blob never sees all of it: a tar entry, an
 * upload body of known length or an unpack is cut short, and fails with CorruptBlobError
 * (STORE_CORRUPT, exit 3) naming the digest. `blobIsCorrupt` re-hashes a blob after a read that
 * failed some other way (a gzip or tar error part-way), to tell a corrupt blob from bad content.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { StrataError } from "../errors/error.ts";

export class CorruptBlobError extends StrataError {
  readonly digest: string;
  constructor(digest: string, actual: string) {
    super("STORE_CORRUPT", `blob ${digest} in the store hashes to ${actual}: it is corrupt (strata system verify lists what else is)`);
    this.digest = digest;
  }
}

/**
 * `chunks` (each a buffer of its own, not reused), checked against `digest` as they pass. With
 * `size` (the blob's, as its file says), chunks that end before it go on at once and only the one
 * that reaches it (and any after: a file that grew) is held back; without, every chunk waits for
 * the next.
 */
export async function* verifiedChunks(chunks: AsyncIterable<Uint8Array>, digest: string, size?: number): AsyncGenerator<Uint8Array> {
  const h = createHash("sha256");
  let held: Uint8Array | undefined;
  let seen = 0;
  for await (const c of chunks) {
    h.update(c);
    seen += c.length;
    if (held !== undefined) yield held;
    held = undefined;
    if (size !== undefined && seen < size) yield c;
    else held = c;
  }
  const actual = `sha256:${h.digest("hex")}`;
  if (actual !== digest) throw new CorruptBlobError(digest, actual);
  if (held !== undefined) yield held;
}

/** The stored blob file `path` as a stream, checked against `digest` (see the header). */
export function verifiedFile(path: string, digest: string): Readable {
  return Readable.from(verifiedChunks(createReadStream(path, { highWaterMark: 1 << 20 }), digest), { objectMode: false, highWaterMark: 1 << 20 });
}

/** What the blob file hashes to, when that is not `digest` (undefined when it is, or is unreadable). */
export async function blobIsCorrupt(path: string, digest: string): Promise<string | undefined> {
  const h = createHash("sha256");
  try {
    for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  } catch {
    return undefined;
  }
  const actual = `sha256:${h.digest("hex")}`;
  return actual === digest ? undefined : actual;
}
