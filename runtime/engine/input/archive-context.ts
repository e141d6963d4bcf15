/**
 * A build context that arrives as a tar archive (a file, stdin spooled to one, a download): told
 * by its content, never its name, with ADD's own test (layer/archive-kind.ts: magic bytes, then a
 * valid tar header), and extracted with runtime/layer's applyLayer in "unpack" mode, which writes
 * nothing outside the directory (absolute and `../` names, links out refused) within the layer
 * limits (entries, bytes, decompression ratio: layer/limits.ts). As docker's DecompressStream
 * reads a context: plain, gzip, zstd (node:zlib), bzip2 and xz (the system `bzip2` and `xz`,
 * streamed: their output is counted against the size and ratio limits as it comes, the ratio
 * against the whole file, and the tool is killed once over).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline, type Readable, Transform } from "node:stream";
import { applyLayer } from "../../layer/apply-layer.ts";
import { decompressed } from "../../layer/decompress.ts";
import { fromSource, StrataError } from "../../errors/error.ts";
import { archiveKind, decompressedFile } from "../../layer/archive-kind.ts";
import { RatioGuard } from "../../layer/limits.ts";

/** bzip2 or xz through the system tool, its output bounded as a layer's decompression is. */
async function systemDecompressed(path: string, kind: "bzip2" | "xz", subject: string): Promise<Readable> {
  const guard = new RatioGuard(subject);
  guard.input((await stat(path)).size);
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        guard.output(chunk.length);
        cb(null, chunk);
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  // An error anywhere (the limit, the tool) destroys both ends, which kills the tool.
  return pipeline(decompressedFile(path, kind), count, () => {});
}

/** Extracts the archive at `path` (`shown` names it in messages) into the empty directory `dir`. */
export async function extractContext(path: string, shown: string, dir: string): Promise<void> {
  const subject = `build context ${shown}`;
  const kind = await archiveKind(path);
  try {
    const stream = kind === "bzip2" || kind === "xz" ? await systemDecompressed(path, kind, subject) : (await decompressed(createReadStream(path), { subject })).stream;
    await applyLayer(stream, dir, { mode: "unpack" });
  } catch (e) {
    if (e instanceof StrataError) throw fromSource(subject, e);
    throw new StrataError("CONTEXT_SOURCE", `${subject}: refusing the archive: ${(e as Error).message}`, { cause: e });
  }
}
