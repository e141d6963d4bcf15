/**
 * Recognising and undoing a layer's or archive's compression by its first bytes, within the
 * size and ratio limits of limits.ts (a bomb is refused as it expands, never written out).
 */
import { Duplex, PassThrough, type Readable, Transform } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { RatioGuard } from "./limits.ts";

/** The compressions a layer is stored, sent or received with. */
export type Compression = "gzip" | "zstd";

/** The compression the first bytes of a stream say it has. */
export function sniffCompression(head: Uint8Array): Compression | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return null;
}

/** At least the first `n` bytes `it` gives (fewer only when it ends first); the rest stays in `it`. */
export async function readHead(it: AsyncIterator<Uint8Array>, n = 4): Promise<Buffer> {
  let head = Buffer.alloc(0);
  while (head.length < n) {
    const next = await it.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  return head;
}

function counting(count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        count(chunk.length);
        cb(null, chunk);
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/**
 * A gzip or zstd decompressor. With `subject` (the file or digest, for messages) it counts what
 * goes in and out and fails with LimitError past the layer size or ratio limit.
 */
export function decompressor(c: Compression, subject?: string): Duplex {
  const d = c === "gzip" ? createGunzip({ chunkSize: 1 << 20 }) : createZstdDecompress({ chunkSize: 1 << 20 });
  if (subject === undefined) return d;
  const guard = new RatioGuard(subject);
  const before = counting((n) => guard.input(n));
  const after = counting((n) => guard.output(n));
  before.pipe(d).pipe(after);
  before.on("error", (e) => after.destroy(e));
  d.on("error", (e) => after.destroy(e));
  // Refused or abandoned: stop decompressing.
  after.on("close", () => {
    before.destroy();
    d.destroy();
  });
  return Duplex.from({ writable: before, readable: after });
}

/**
 * Peeks at the first bytes of `input` and undoes gzip or zstd compression if present, within
 * the limits (naming `o.subject`, "layer" when not given) unless `o.unlimited` (verify, which
 * reads what the store already holds).
 */
export async function decompressed(input: AsyncIterable<Uint8Array> | Readable, o: { subject?: string; unlimited?: boolean } = {}): Promise<{ stream: Readable; compression: Compression | null }> {
  const it = (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const head = await readHead(it);
  const rest = new PassThrough({ highWaterMark: 1 << 20 });
  rest.write(head);
  (async () => {
    for (let n = await it.next(); !n.done; n = await it.next()) if (!rest.write(n.value)) await new Promise((r) => rest.once("drain", r));
    rest.end();
  })().catch((e) => rest.destroy(e as Error));
  const compression = sniffCompression(head);
  if (compression === null) return { stream: rest, compression };
  const d = decompressor(compression, o.unlimited ? undefined : (o.subject ?? "layer"));
  rest.on("error", (e) => d.destroy(e));
  return { stream: rest.pipe(d), compression };
}
