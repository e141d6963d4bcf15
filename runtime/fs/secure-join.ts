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
  const inRoot = await resolveInRoot(path, (p) => posix.join(root, p));
  return inRoot === "/" ? posix.join(root) : posix.join(root, inRoot);
}

/**
 * secureJoin's walk over any map of a path in the root to where it is on the host (a container's
 * rootfs with its bind mounts over it): each component is looked at with lstat where `hostOf`
 * puts it, a symlink read there and followed by hand. Resolves with the path in the root
 * (`/a/b`); the last component's link is followed only with `followLast` (default true).
 */
export async function resolveInRoot(path: string, hostOf: (p: string) => string, o: { followLast?: boolean; subject?: string } = {}): Promise<string> {
  const pending = path.split("/").filter((s) => s !== "" && s !== ".");
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === "..") {
      done.pop();
      continue;
    }
    const candidate = hostOf(`/${[...done, part].join("/")}`);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink() && (pending.length > 0 || o.followLast !== false);
    } catch {
      // Missing: keep the name; later parts cannot be links either.
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > 255) throw new StrataError("PATH_SYMLINK_LOOP", `too many levels of symbolic links resolving ${path}${o.subject === undefined ? "" : ` in ${o.subject}`}`);
    const target = await readlink(candidate);
    if (target.startsWith("/")) done.length = 0;
    pending.unshift(...target.split("/").filter((s) => s !== "" && s !== "."));
  }
  return `/${done.join("/")}`;
}
