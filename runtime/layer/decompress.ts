/** Recognising and undoing a layer's or archive's compression by its first bytes. */
import { PassThrough, type Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";

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

/** Peeks at the first bytes of `input` and undoes gzip or zstd compression if present. */
export async function decompressed(input: AsyncIterable<Uint8Array> | Readable): Promise<{ stream: Readable; compression: Compression | null }> {
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
  const d = compression === "gzip" ? createGunzip({ chunkSize: 1 << 20 }) : createZstdDecompress({ chunkSize: 1 << 20 });
  rest.on("error", (e) => d.destroy(e));
  return { stream: rest.pipe(d), compression };
}
