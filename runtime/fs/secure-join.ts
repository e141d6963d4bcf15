import { lstat, readlink } from "node:fs/promises";
import { posix } from "node:path";
import { StrataError } from "../errors/error.ts";

/**
 * Resolves `path` inside `root` as the container would see it: symlinks are
 * followed, but always relative to `root` (an absolute target restarts at the
 * root, `..` stops at the root), so the result never leaves the root — like
 * Go's securejoin, which BuildKit and runc use. Missing components are kept
 * as they are (the caller creates them).
 */
export async function secureJoin(root: string, path: string): Promise<string> {
  const pending = path.split("/").filter((s) => s !== "" && s !== ".");
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === "..") {
      done.pop();
      continue;
    }
    const candidate = posix.join(root, ...done, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch {
      // Missing: keep the name; later parts cannot be links either.
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > 255) throw new StrataError("PATH_SYMLINK_LOOP", `too many levels of symbolic links resolving ${path}`);
    const target = await readlink(candidate);
    if (target.startsWith("/")) done.length = 0;
    pending.unshift(...target.split("/").filter((s) => s !== "" && s !== "."));
  }
  return posix.join(root, ...done);
}
