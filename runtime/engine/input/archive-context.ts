/**
 * A build context that arrives as a tar archive (a file, or stdin spooled to one): told by its
 * content, never its name, with ADD's own test (exec/copy/archive.ts: magic bytes, then a valid
 * tar header), and extracted with runtime/layer's applyLayer in "unpack" mode, which writes
 * nothing outside the directory (absolute and `../` names, links out refused) within the layer
 * limits (entries, bytes, decompression ratio: layer/limits.ts). As `docker build -` takes a
 * context: plain, gzip or zstd (docker's DecompressStream also reads bzip2 and xz; those are
 * refused here with the reason).
 */
import { createReadStream } from "node:fs";
import { applyLayer } from "../../layer/apply-layer.ts";
import { decompressed } from "../../layer/decompress.ts";
import { fromSource, StrataError } from "../../errors/error.ts";
import { archiveKind } from "../../layer/archive-kind.ts";

/** Extracts the archive at `path` (`shown` names it in messages) into the empty directory `dir`. */
export async function extractContext(path: string, shown: string, dir: string): Promise<void> {
  const kind = await archiveKind(path);
  if (kind === "bzip2" || kind === "xz") throw new StrataError("CONTEXT_SOURCE", `build context ${shown}: a ${kind}-compressed tar; only plain, gzip and zstd tars are read (decompress it first, e.g. ${kind} -dc)`);
  try {
    const { stream } = await decompressed(createReadStream(path), { subject: `build context ${shown}` });
    await applyLayer(stream, dir, { mode: "unpack" });
  } catch (e) {
    if (e instanceof StrataError) throw fromSource(`build context ${shown}`, e);
    throw new StrataError("CONTEXT_SOURCE", `build context ${shown}: refusing the archive: ${(e as Error).message}`, { cause: e });
  }
}
