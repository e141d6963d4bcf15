/**
 * docker cp's path rules (moby's pkg/archive copy.go, as the docker cp reference states them),
 * pure: what to tar from the source and where to extract it, from what each side is.
 *
 * A source names a file or a directory; `dir/.` names the directory's contents. The tar holds
 * the source under one top name, and is extracted into one directory:
 *
 * - the destination exists and is a directory: extracted into it, the top named as the source
 *   (`dir` copies the directory into it, `dir/.` its contents, a file keeps its name);
 * - the destination exists and is a file: a file replaces it (the top takes its name), a
 *   directory is an error ("cannot copy a directory to a file");
 * - the destination does not exist: its parent must; the top takes the destination's name
 *   (a directory is created there), but a file source to a destination that ends in `/` is an
 *   error ("the destination directory must exist").
 */
import { posix } from "node:path";
import { StrataError } from "../../errors/error.ts";

/** One side of a copy, as docker's archive.CopyInfo. */
export interface CopyInfo {
  /** The path as the user gave it, absolute, its trailing `/` or `/.` kept. */
  readonly path: string;
  readonly exists: boolean;
  readonly isDir: boolean;
}

/** The tar to make and where it goes. */
export interface CopyPlan {
  /** The directory the tar is extracted into. */
  readonly extractDir: string;
  /** The name of the source's top entry in the tar. */
  readonly topName: string;
}

const specifiesCurrentDir = (p: string): boolean => p === "." || p.endsWith("/.");
const assertsDirectory = (p: string): boolean => p.endsWith("/") || specifiesCurrentDir(p);

/** docker's SplitPathDirEntry: `/a/b/` → [/a, b], `/a/b/.` → [/a/b, .], `/` → [/, /]. */
export function splitPathDirEntry(p: string): [string, string] {
  const cleaned = posix.normalize(p).replace(/(.)\/+$/, "$1");
  const withDot = specifiesCurrentDir(p) && cleaned !== "/" ? `${cleaned}/.` : cleaned;
  if (withDot === "/") return ["/", "/"];
  return [posix.dirname(withDot), posix.basename(withDot)];
}

/** An absolute form of `p` (relative to `base`) that keeps a trailing `/` or `/.` (docker's PreserveTrailingDotOrSeparator). */
export function absolutePath(p: string, base = "/"): string {
  const abs = posix.resolve(base, p);
  if (specifiesCurrentDir(p) && !abs.endsWith("/.")) return abs === "/" ? "/." : `${abs}/.`;
  if (p.endsWith("/") && !abs.endsWith("/")) return `${abs}/`;
  return abs;
}

/** A destination the copy cannot use: docker's words, with the path. */
export class CopyPathError extends StrataError {
  constructor(message: string) {
    super("CP_DESTINATION", message);
  }
}

/** docker's PrepareArchiveCopy, in terms of the tar this side makes. `where` names the destination for messages. */
export function planCopy(src: CopyInfo, dst: CopyInfo, where: string): CopyPlan {
  const own = splitPathDirEntry(src.path)[1];
  // The root's top is its contents.
  const srcBase = own === "/" ? "." : own;
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  if (dst.exists && dst.isDir) return { extractDir: dst.path.replace(/\/\.?$/, "") || "/", topName: srcBase };
  if (dst.exists && src.isDir) throw new CopyPathError(`cannot copy a directory to a file: ${where} is a file`);
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new CopyPathError(`the destination directory must exist: ${where}`);
  return { extractDir: dstDir, topName: dstBase };
}
