/**
 * Resolving tar entry names inside a root directory without ever leaving it.
 *
 * Names are first normalised lexically (`./`, `.`, empty components dropped, `..` popped;
 * popping above the root is a refusal). Then each parent component is checked with lstat, one
 * at a time: real directories are entered, missing ones created (when asked), and symlinks are
 * followed by hand as the container would see them — a relative target is resolved against the
 * directory holding the link, an absolute target restarts at the root (as in containerd's
 * fs.RootPath: `localetc -> /etc` then `localetc/x` writes the root's `etc/x`) — and refused when
 * a relative target climbs above the root (a layer), or kept at the root as a chroot keeps it
 * (ADD's extraction: `symldir1 -> ..` then `symldir1/etc/myfile` writes the root's `etc/myfile`). The result is a path made only of real directories,
 * so the final operation (open with O_EXCL|O_NOFOLLOW, symlink, link, mknod) cannot be redirected.
 */
import { lstat, mkdir, readlink, rm } from "node:fs/promises";
import { LayerError, type LayerErrorCode } from "./errors.ts";

const MAX_SYMLINKS = 40;

export async function lstatOrNull(p: string): Promise<import("node:fs").Stats | null> {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw err;
  }
}

/** Join relative path components ("" is the root). */
export function joinRel(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/**
 * Lexically normalise a tar name into components. Leading `./` is accepted (many tars use it);
 * absolute names and names whose `..` climb above the root are refused.
 */
export function normalizeName(name: string, entry: string, escapeCode: LayerErrorCode = "LAYER_PATH_ESCAPE"): string[] {
  if (name.includes("\u0000")) throw new LayerError("LAYER_UNSUPPORTED_ENTRY", entry, "name contains a NUL byte");
  if (name.startsWith("/")) {
    throw new LayerError(
      escapeCode === "LAYER_PATH_ESCAPE" ? "LAYER_PATH_ABSOLUTE" : escapeCode,
      entry,
      `absolute path ${JSON.stringify(name)} is not allowed in a layer`,
    );
  }
  const out: string[] = [];
  for (const c of name.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (out.length === 0) throw new LayerError(escapeCode, entry, `path ${JSON.stringify(name)} escapes the root`);
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}

export class ScopedRoot {
  /** Absolute, symlink-free path of the root. */
  readonly root: string;

  constructor(realRoot: string) {
    this.root = realRoot;
  }

  abs(rel: string): string {
    return rel === "" ? this.root : `${this.root}/${rel}`;
  }

  /**
   * Resolve directory components to a relative path of real directories under the root.
   * With `create`, missing components are made (0755) and non-directories in the way replaced
   * (a layer's content wins), or refused with `keepNonDirs` (tar -x: "not a directory");
   * `onMkdir` is told about each directory made. Without it, returns null when the directory
   * does not exist. Throws `escapeCode` when a symlink leads outside the root, unless `chroot`:
   * then `..` at the root stays at the root, as in a chroot (what ADD's extraction sees).
   */
  async resolveDir(
    comps: readonly string[],
    entry: string,
    opts: { create: boolean; escapeCode?: LayerErrorCode; onMkdir?: (rel: string) => void; chroot?: boolean; keepNonDirs?: boolean },
  ): Promise<string | null> {
    const escapeCode = opts.escapeCode ?? "LAYER_PATH_ESCAPE";
    const stack: string[] = [];
    const queue = [...comps];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift() as string;
      if (c === "" || c === ".") continue;
      if (c === "..") {
        if (stack.length === 0 && opts.chroot === true) continue;
        if (stack.length === 0) throw new LayerError(escapeCode, entry, "path escapes the root through a symlink (\"..\" above the root)");
        stack.pop();
        continue;
      }
      const rel = [...stack, c].join("/");
      const p = this.abs(rel);
      const st = await lstatOrNull(p);
      if (st?.isSymbolicLink()) {
        if (++hops > MAX_SYMLINKS) throw new LayerError(escapeCode, entry, "too many levels of symlinks");
        const target = await readlink(p);
        // An absolute target restarts at the root; a relative one that climbs above the root is
        // caught by the ".." case above.
        if (target.startsWith("/")) stack.length = 0;
        queue.unshift(...target.split("/"));
        continue;
      }
      if (st === null || !st.isDirectory()) {
        if (!opts.create) return null;
        if (st !== null && opts.keepNonDirs === true) throw new LayerError("LAYER_NOT_DIRECTORY", entry, `${JSON.stringify(rel)} is not a directory`);
        if (st !== null) await rm(p, { recursive: true, force: true });
        await mkdir(p, { mode: 0o755 });
        opts.onMkdir?.(rel);
      }
      stack.push(c);
    }
    return stack.join("/");
  }

  /** True when every component of rel's parent is still a real directory (no symlinks). */
  async parentsAreReal(rel: string, verified: Set<string>): Promise<boolean> {
    const comps = rel.split("/");
    comps.pop();
    let cur = "";
    for (const c of comps) {
      cur = joinRel(cur, c);
      if (verified.has(cur)) continue;
      const st = await lstatOrNull(this.abs(cur));
      if (st === null || !st.isDirectory()) return false;
      verified.add(cur);
    }
    return true;
  }
}
