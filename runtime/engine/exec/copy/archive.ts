/**
 * ADD's archive handling. A file is an archive when its content (never its
 * name) is a tar, possibly compressed with gzip, bzip2, xz or zstd, as
 * runtime/layer/archive-kind.ts tells it. Anything else is copied as a plain file.
 *
 * Extraction is in place, as BuildKit extracts (rooted at the destination
 * directory, like its chrootarchive): the stream goes through runtime/layer's
 * applyLayer in "unpack" mode, which resolves every parent by hand inside the
 * destination — symlinks, the archive's and those the image already has,
 * followed as in a chroot there — and refuses absolute names, `../` names and
 * hardlinks out, naming the entry. The archive's content wins path by path
 * (tar -x).
 */
import { applyLayer } from "../../../layer/apply-layer.ts";
import { type Compression, decompressedFile } from "../../../layer/archive-kind.ts";
import { CopyError } from "../../context/copy-error.ts";

/**
 * Extracts the archive at `path` into the existing directory `dir` (resolved
 * inside the rootfs), every entry owned by `owner` when given (--chown).
 * Errors name the source and the offending entry.
 */
export async function extractInto(path: string, c: Compression, source: string, dir: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  try {
    await applyLayer(decompressedFile(path, c), dir, { mode: "unpack", ...(owner !== undefined && { owner }) });
  } catch (e) {
    throw new CopyError("COPY_ARCHIVE", `"${source}": refusing archive: ${(e as Error).message}`, { cause: e });
  }
}
