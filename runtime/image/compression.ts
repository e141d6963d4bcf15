import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { constants, createZstdCompress, gzip, type ZlibOptions } from "node:zlib";
import type { Descriptor } from "../store/content-store.ts";
import { type CompressedRecord, type Compression, CompressedBlobs } from "../store/compressed.ts";
import { MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";

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
 */
/** gzip as a promise, made on first use (zlib is loaded only by what compresses). */
const gzipAsync = (piece: Buffer, options: ZlibOptions): Promise<Buffer> => promisify(gzip)(piece, options);
const PIECE = 4 << 20;
const IN_FLIGHT = 4;

export const DEFAULT_GZIP_LEVEL = Number(process.env.STRATA_GZIP_LEVEL ?? 1);

export function isCompression(s: string): s is Compression {
  return s === "gzip" || s === "zstd";
}

async function* pieces(src: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let buf: Buffer[] = [];
  let n = 0;
  for await (const c of src) {
    let chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    while (n + chunk.length >= PIECE) {
      const take = PIECE - n;
      buf.push(chunk.subarray(0, take));
      yield Buffer.concat(buf);
      chunk = chunk.subarray(take);
      buf = [];
      n = 0;
    }
    if (chunk.length > 0) {
      buf.push(Buffer.from(chunk));
      n += chunk.length;
    }
  }
  if (n > 0 || buf.length === 0) yield Buffer.concat(buf);
}

/** gzip in parallel pieces (see the header); at most `IN_FLIGHT` pieces in flight. */
export async function* parallelGzip(src: AsyncIterable<Uint8Array>, level = DEFAULT_GZIP_LEVEL): AsyncGenerator<Buffer> {
  const inFlight: Promise<Buffer>[] = [];
  for await (const piece of pieces(src)) {
    const p = gzipAsync(piece, { level, chunkSize: PIECE });
    p.catch(() => undefined);
    inFlight.push(p);
    if (inFlight.length >= IN_FLIGHT) yield await (inFlight.shift() as Promise<Buffer>);
  }
  while (inFlight.length > 0) yield await (inFlight.shift() as Promise<Buffer>);
}

/** The compressed bytes of `src`. */
export function compress(src: Readable, c: Compression, level?: number): AsyncIterable<Uint8Array> {
  if (c === "gzip") return parallelGzip(src, level);
  const z = createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: level ?? 3 } });
  // pipe() does not pass an error on: a source that fails (a corrupt blob) must fail the compressed stream too.
  src.once("error", (e) => z.destroy(e));
  return src.pipe(z);
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

/**
 * Compresses the stored layer `diffId` into the store and records it in the
 * compressed-blob index (keeping `known`'s mount sources when the digest is
 * the same). `through` sees the compressed bytes on their way to the store
 * and may pass them on elsewhere too (push streams them to the registry);
 * the store pulls from it, so it paces the compressor.
 */
export async function compressAndRemember(
  store: Store,
  diffId: string,
  c: Compression,
  known: CompressedRecord | undefined,
  opts: { docker?: boolean; onProgress?: (n: number) => void; through?: (compressed: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array> } = {},
): Promise<Descriptor> {
  const src = store.content.read(diffId);
  if (opts.onProgress) {
    const cb = opts.onProgress;
    src.on("data", (b: Buffer) => cb(b.length));
  }
  const compressed = compress(src, c);
  const blob = await store.content.ingest(opts.through ? opts.through(compressed) : compressed);
  await new CompressedBlobs(store.layout).put(diffId, c, { mediaType: layerMediaType(c), digest: blob.digest, size: blob.size, ...(known?.digest === blob.digest && known.sources ? { sources: known.sources } : {}) });
  return { mediaType: layerMediaType(c, opts.docker), digest: blob.digest, size: blob.size };
}
