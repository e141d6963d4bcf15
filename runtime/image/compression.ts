import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { constants, createGzip, createZstdCompress, type Gzip, type ZlibReset } from "node:zlib";
import type { Descriptor } from "../store/content-store.ts";
import { type CompressedRecord, type Compression, CompressedBlobs } from "../store/compressed.ts";
import { MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { BlobNotFoundError, type ContentWriter } from "../store/content.ts";
import { verifiedChunks } from "../store/verified-read.ts";
import { OutputBuffers } from "./output-buffers.ts";

/**
 * Layer compression, done once per layer and remembered (store/compressed.ts).
 *
 * gzip: level 1 by default (../shared/design/PERFORMANCE.md: ~75 MB/s a core against ~28 at
 * level 6, for a few percent of size), and in parallel: the layer is cut into
 * 4 MiB pieces, each compressed as its own gzip member on libuv's thread pool
 * (up to 4 in flight, the pool's default size), and the members are written
 * in order. Each job gets an output buffer as big as its piece: with zlib's
 * default 16 KiB one, a job goes back to the main thread for every 16 KiB of
 * output, and those round trips cost about a third of the time (128 MB from
 * a file on 2 cores: ~1.7 s with 16 KiB and 2 in flight, ~1.1 s now). A file
 * of several gzip members is one valid gzip stream (RFC 1952 §2.2; Go's,
 * zlib's and pigz's readers read it), and the output depends only on the
 * input, piece size and level (not on the output buffer size), so the same
 * layer always gives the same digest. zstd: node:zlib's zstd, level 3.
 *
 * The stored layer is read straight in 4 MiB pieces (`storedPieces`, one read per piece,
 * no copy to cut pieces out of 1 MiB chunks), and 3 pieces are in flight, not 4: libuv's
 * pool has 4 threads, and with all 4 compressing, the file reads (and the store's writes)
 * waited behind a piece each (about 0.3 s of a 128 MB push on 2 cores).
 */
/**
 * Gzips pieces, one gzip member each, on the thread pool: one zlib stream, reset after each
 * piece rather than made anew (a new stream is a fresh 4 MiB output buffer and zlib's state,
 * ~0.6 MiB, allocated and freed, with the page faults and garbage collections that brings).
 * Each write is a Z_FINISH of the whole piece: one trip to the pool, and the member ends there.
 * The output is the piece's own member, byte for byte what zlib's one-shot gzip of it gives
 * (specs/registry/push-compress.spec.ts), so the same layer always gives the same digest. It
 * comes as zlib's output chunks (views of the output buffer, an OutputBuffers one when given,
 * which holds any member whole), passed on as they are: joining them was a copy into fresh memory per piece.
 */
class PieceGzip {
  /** node:zlib resets a gzip stream as it does a deflate one (a new member, header and all); its types leave it out. */
  readonly #z: Gzip & ZlibReset & Partial<ZlibOutput>;
  #out: Buffer[] = [];
  constructor(level: number) {
    this.#z = createGzip({ level, memLevel: MEM_LEVEL, chunkSize: OUT, flush: constants.Z_FINISH }) as Gzip & ZlibReset;
    this.#z.on("data", (b: Buffer) => this.#out.push(b));
  }
  /**
   * `piece` as one gzip member, written into `into` when given (an OutputBuffers buffer of OUT
   * bytes). node:zlib has no public way to hand a stream its output buffer: the stream's own
   * `_outBuffer`/`_outOffset` (node:zlib's since its first version, in Node 22 and 24) are set
   * before the write, which reads them, and nothing else is writing then. Where a Node has no
   * such fields, `into` goes unused and zlib's own fresh buffer takes the output, as before
   * (OutputBuffers.lend sees no chunk of `into`).
   */
  compress(piece: Buffer, into?: Buffer): Promise<Buffer[]> {
    if (into && Buffer.isBuffer(this.#z._outBuffer) && typeof this.#z._outOffset === "number") {
      this.#z._outBuffer = into;
      this.#z._outOffset = 0;
    }
    return new Promise((resolve, reject) => {
      this.#z.once("error", reject);
      this.#z.write(piece, (e) => {
        this.#z.off("error", reject);
        if (e) return reject(e);
        // Output still buffered (the stream was not flowing when it came) goes out through "data".
        while (this.#z.readableLength > 0 && this.#z.read() !== null);
        const out = this.#out;
        this.#out = [];
        this.#z.reset();
        resolve(out);
      });
    });
  }
  close(): void {
    this.#z.close();
  }
}
/** node:zlib's fields for a stream's current output buffer and how much of it is used. */
interface ZlibOutput {
  _outBuffer: Buffer;
  _outOffset: number;
}
const PIECE = 4 << 20;
/** A piece's output buffer: deflate's worst case (stored blocks) is a few hundred bytes over the piece. */
const OUT = PIECE + (64 << 10);
const IN_FLIGHT = 3;
/**
 * zlib's largest hash table (memLevel 9, 256 KiB a job, against the default 8): on layer tars
 * level 1 runs ~14% faster (95 against 83 MB/s a core here) for 0.3% more bytes.
 */
const MEM_LEVEL = Number(process.env.STRATA_GZIP_MEMLEVEL ?? 9);

export const DEFAULT_GZIP_LEVEL = Number(process.env.STRATA_GZIP_LEVEL ?? 1);

export function isCompression(s: string): s is Compression {
  return s === "gzip" || s === "zstd";
}

/**
 * `src` cut into PIECE-byte pieces (the last one shorter). A chunk that is kept past the next
 * read is copied, since a source may read into the same buffer again, unless `owned`: the
 * source's buffers are handed over (storedPieces'), so its last, short piece goes on as it is
 * (copying it was ~2,000 page faults of fresh memory, ~30 ms of a 128 MB push).
 */
async function* pieces(src: AsyncIterable<Uint8Array>, owned: boolean): AsyncGenerator<Buffer> {
  let buf: Buffer[] = [];
  let n = 0;
  for await (const c of src) {
    let chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    // A whole piece as it came (storedPieces reads them so): no copy.
    if (n === 0 && chunk.length === PIECE) {
      yield chunk;
      continue;
    }
    while (n + chunk.length >= PIECE) {
      const take = PIECE - n;
      buf.push(chunk.subarray(0, take));
      yield Buffer.concat(buf);
      chunk = chunk.subarray(take);
      buf = [];
      n = 0;
    }
    if (chunk.length > 0) {
      buf.push(owned ? chunk : Buffer.from(chunk));
      n += chunk.length;
    }
  }
  if (n > 0 || buf.length === 0) yield buf.length === 1 ? (buf[0] as Buffer) : Buffer.concat(buf);
}

/**
 * gzip in parallel pieces (see the header); at most `IN_FLIGHT` pieces in flight. With `free`
 * (storedPieces' pool), `src`'s buffers are handed over (never read into again until they are
 * back in `free`), and each whole piece goes back there once compressed. With `outputs`, each
 * piece is compressed into one of its buffers and its chunks are lent out: the consumers
 * release them (OutputBuffers).
 */
export async function* parallelGzip(src: AsyncIterable<Uint8Array>, level = DEFAULT_GZIP_LEVEL, free?: Buffer[], outputs?: OutputBuffers): AsyncGenerator<Buffer> {
  const idle: PieceGzip[] = [];
  const all: PieceGzip[] = [];
  const inFlight: Promise<Buffer[]>[] = [];
  try {
    for await (const piece of pieces(src, free !== undefined)) {
      const z = idle.pop() ?? new PieceGzip(level);
      if (!all.includes(z)) all.push(z);
      const into = outputs?.take();
      const p = z.compress(piece, into);
      p.then(
        (out) => {
          if (into) outputs?.lend(into, out);
          idle.push(z);
          if (free && piece.length === PIECE) free.push(piece);
        },
        () => undefined,
      );
      inFlight.push(p);
      if (inFlight.length >= IN_FLIGHT) yield* await (inFlight.shift() as Promise<Buffer[]>);
    }
    while (inFlight.length > 0) yield* await (inFlight.shift() as Promise<Buffer[]>);
  } finally {
    // A stream with a piece still in the pool is closed once zlib hands it back.
    await Promise.allSettled(inFlight);
    for (const z of all) z.close();
  }
}

/**
 * The stored blob file `path` in pieces of PIECE bytes, each a buffer of its own (from `free`
 * when it has one: a buffer there must be no longer in use), checked against `digest` as they
 * pass (verifiedChunks: the piece that reaches the file's size is held back until the hash is
 * known, so a corrupt layer never compresses to a whole blob; the pieces before it go on at once,
 * and the first piece is compressing while the second is read).
 */
export async function* storedPieces(path: string, digest: string, free: Buffer[] = []): AsyncGenerator<Uint8Array> {
  const fh = await open(path, "r").catch((e: unknown) => {
    throw (e as NodeJS.ErrnoException).code === "ENOENT" ? new BlobNotFoundError(digest) : e;
  });
  async function* read(): AsyncGenerator<Buffer> {
    for (;;) {
      // A piece gzip is done with (parallelGzip hands them back), else a new one: fresh 4 MiB buffers cost page faults and GC.
      const buf = free.pop() ?? Buffer.allocUnsafeSlow(PIECE);
      let n = 0;
      while (n < PIECE) {
        const { bytesRead } = await fh.read(buf, n, PIECE - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      if (n > 0) yield n < PIECE ? buf.subarray(0, n) : buf;
      if (n < PIECE) return;
    }
  }
  try {
    yield* verifiedChunks(read(), digest, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

/** The compressed bytes of `src`; `free` and `outputs` as parallelGzip's (zstd uses neither). */
export function compress(src: Readable | AsyncIterable<Uint8Array>, c: Compression, level?: number, free?: Buffer[], outputs?: OutputBuffers): AsyncIterable<Uint8Array> {
  if (c === "gzip") return parallelGzip(src, level, free, outputs);
  const from = src instanceof Readable ? src : Readable.from(src, { objectMode: false });
  const z = createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: level ?? 3 } });
  // pipe() does not pass an error on: a source that fails (a corrupt blob) must fail the compressed stream too.
  from.once("error", (e) => z.destroy(e));
  return from.pipe(z);
}

export function layerMediaType(c: Compression, docker = false): string {
  if (c === "zstd") return MediaType.layerZstd;
  return docker ? MediaType.dockerLayerGzip : MediaType.layerGzip;
}

/** What a media type says about compression: "gzip", "zstd", null for none, undefined when it does not say. */
export function compressionOfMediaType(mt: string): Compression | null | undefined {
  if (mt.endsWith("+gzip") || mt.endsWith(".tar.gzip")) return "gzip";
  if (mt.endsWith("+zstd")) return "zstd";
  if (mt.endsWith(".tar") || mt.endsWith(".tar.v1")) return null;
  return undefined;
}

/**
 * The compressed form of the stored layer `diffId`, made and stored the first
 * time, reused after (store/compressed.ts). `onProgress` gets uncompressed bytes read.
 */
export async function ensureCompressed(store: Store, diffId: string, c: Compression, opts: { docker?: boolean; onProgress?: (n: number) => void } = {}): Promise<Descriptor> {
  const known = await new CompressedBlobs(store.layout).get(diffId, c);
  if (known && (await store.content.has(known.digest))) return { mediaType: layerMediaType(c, opts.docker), digest: known.digest, size: known.size };
  return compressAndRemember(store, diffId, c, known, opts);
}

/** `src`, telling `cb` each chunk's length on its way. */
async function* counted(src: AsyncIterable<Uint8Array>, cb: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    cb(c.length);
    yield c;
  }
}

/**
 * Compresses the stored layer `diffId` into the store and records it in the
 * compressed-blob index (keeping `known`'s mount sources when the digest is
 * the same). `through` sees the compressed bytes on their way to the store
 * and may pass them on elsewhere too (push streams them to the registry),
 * calling `release` with each chunk once that side is done with it (its buffer is then used
 * again: output-buffers.ts); the store pulls from it, so it paces the compressor. `digested` is told the
 * compressed blob's digest as soon as its last byte is hashed, before the
 * store's fsync and commit (push completes its upload with it meanwhile).
 */
export async function compressAndRemember(
  store: Store,
  diffId: string,
  c: Compression,
  known: CompressedRecord | undefined,
  opts: {
    docker?: boolean;
    onProgress?: (n: number) => void;
    through?: (compressed: AsyncIterable<Uint8Array>, release: (chunk: Uint8Array) => void) => AsyncIterable<Uint8Array>;
    digested?: (digest: string) => void;
  } = {},
): Promise<Descriptor> {
  const free: Buffer[] = [];
  const pieces = storedPieces(store.content.path(diffId), diffId, free);
  // Each chunk is released by the store (once written, which copies it) and by `through`'s side.
  const outputs = new OutputBuffers(OUT, opts.through ? 2 : 1);
  const release = (chunk: Uint8Array) => outputs.release(chunk);
  // zstd reads its input as a stream and gives nothing back to the pool.
  const compressed = compress(opts.onProgress ? counted(pieces, opts.onProgress) : pieces, c, undefined, c === "gzip" ? free : undefined, outputs);
  const out = (opts.through ? opts.through(compressed, release) : compressed)[Symbol.asyncIterator]();
  // The first pieces are read and compressing while the ingest file is made.
  const first = out.next();
  first.catch(() => undefined);
  let w: ContentWriter | undefined;
  let blob: { digest: string; size: number };
  try {
    w = await store.content.writer();
    for (let r = await first; !r.done; r = await out.next()) {
      await w.write(r.value);
      outputs.release(r.value);
    }
    opts.digested?.(w.digest());
    blob = await w.commit();
  } catch (e) {
    // Stopped early: the reads, the compressing and anything `through` passes bytes on to are ended too.
    await out.return?.(undefined).catch(() => undefined);
    throw e;
  } finally {
    await w?.abort();
  }
  await new CompressedBlobs(store.layout).put(diffId, c, { mediaType: layerMediaType(c), digest: blob.digest, size: blob.size, ...(known?.digest === blob.digest && known.sources ? { sources: known.sources } : {}) });
  return { mediaType: layerMediaType(c, opts.docker), digest: blob.digest, size: blob.size };
}
