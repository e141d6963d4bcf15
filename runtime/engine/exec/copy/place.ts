/**
 * Placing selected entries in the rootfs, as fsutil's copier (what BuildKit
 * runs) places them.
 *
 * - The destination's parent (or the destination itself when it ends in `/`)
 *   is created first, missing directories 0755 owned by the --chown user
 *   (else root). The destination path is then resolved in the rootfs with
 *   symlinks followed inside it (secureJoin): nothing resolves outside.
 * - A file (or a followed symlink) goes to `dest/<name>` when dest is an
 *   existing directory, else to dest. A directory's contents are merged into
 *   dest (created 0755 when missing; an existing dest keeps its mode and
 *   owner and takes the source directory's mtime).
 * - Below dest every path is joined lexically and checked with lstat: a
 *   directory in the image that is a symlink is an error ("cannot copy to
 *   non-directory"), never followed; a file never replaces a directory; an
 *   existing file or symlink is replaced. With `replace` (archive
 *   extraction, `tar -x` semantics) a conflicting path is removed instead.
 * - Each copied entry gets: owner = --chown, else the source's owner for
 *   stages and images, else 0:0; mode = --chmod applied to the source mode
 *   (not for symlinks); atime/mtime from the source (directories last);
 *   from a stage or an image, the source's extended attributes
 *   (security.capability, user.*: fs/kept-xattrs.ts), as fsutil copies them.
 *   Files sharing an inode in the source are hard-linked again. A socket is
 *   not copied (nothing can make one without a listener): `warn` says so,
 *   naming the path.
 */
import { constants } from "node:fs";
import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, rm, symlink, unlink, utimes, writeFile } from "node:fs/promises";
import { posix } from "node:path";
import { mapLimit } from "../../../fs/pool.ts";
import { secureJoin } from "../../../fs/secure-join.ts";
import { copyKeptXattrs } from "../../../fs/kept-xattrs.ts";
import { makeNodes } from "../../../layer/mknod.ts";
import type { ModeFn } from "./chmod.ts";
import type { Owner } from "./owner.ts";
import type { EntryKind, Match, SourceEntry } from "../../context/select.ts";
import { CopyError } from "../../context/copy-error.ts";

export interface PlaceOptions {
  /** --chown. */
  readonly owner: Owner | undefined;
  /** Without --chown, keep the source's owner (stages, images, archives) instead of 0:0. */
  readonly keepOwner: boolean;
  /** --chmod. */
  readonly mode: ModeFn | undefined;
  /** tar -x semantics: a conflicting path is removed rather than an error. */
  readonly replace: boolean;
  /** Copy the source's kept extended attributes (stages and images). */
  readonly keepXattrs?: boolean;
  /** Told about what is not copied (a socket). */
  readonly warn?: (message: string) => void;
}

/** The metadata a placed entry takes. */
export interface Meta {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  /** Seconds since the epoch (fractional). */
  readonly atime: number;
  readonly mtime: number;
}

export function metaOf(st: SourceEntry["st"]): Meta {
  return { uid: Number(st.uid), gid: Number(st.gid), mode: Number(st.mode & 0o7777n), atime: Number(st.atimeNs) / 1e9, mtime: Number(st.mtimeNs) / 1e9 };
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch {
    return null;
  }
}

export class Placer {
  readonly rootfs: string;
  readonly o: PlaceOptions;
  readonly #inodes = new Map<string, string>();
  readonly #dirTimes: { path: string; meta: Meta }[] = [];

  constructor(rootfs: string, o: PlaceOptions) {
    this.rootfs = rootfs;
    this.o = o;
  }

  /** A host path as the image sees it, for messages. */
  image(p: string): string {
    return p.slice(this.rootfs.length) || "/";
  }

  /** fsutil MkdirAll: the missing directories of an already resolved path, 0755, owned by --chown (else root). */
  async mkdirAll(p: string): Promise<void> {
    const missing: string[] = [];
    for (let d = p; d.length > this.rootfs.length; d = posix.dirname(d)) {
      const st = await lstatOrNull(d);
      if (st === null) {
        missing.unshift(d);
        continue;
      }
      if (!st.isDirectory()) throw new CopyError("COPY_FAILED", `mkdir ${this.image(p)}: ${this.image(d)} is not a directory`);
      break;
    }
    for (const d of missing) {
      await mkdir(d, { mode: 0o755 });
      await chmod(d, 0o755);
      if (this.o.owner) await lchown(d, this.o.owner.uid, this.o.owner.gid);
    }
  }

  /** Creates dest's parent (or dest when it ends in `/`) and returns dest resolved in the rootfs. */
  async prepareDest(dest: string): Promise<string> {
    await this.mkdirAll(await secureJoin(this.rootfs, dest.endsWith("/") ? dest : posix.dirname(dest)));
    return secureJoin(this.rootfs, dest);
  }

  /** Copies one match of a path source to `dest` (the op's dest, absolute). */
  async copyMatch(m: Match, dest: string): Promise<void> {
    const dst = await this.prepareDest(dest);
    const dstSt = await lstatOrNull(dst);
    if (m.top.kind !== "dir") {
      const target = dstSt?.isDirectory() ? posix.join(dst, posix.basename(m.name)) : dst;
      await this.mkdirAll(posix.dirname(target));
      await this.place(m.top, target);
      return;
    }
    await this.mkdirAll(dstSt === null ? dst : posix.dirname(dst));
    await this.contentsInto(m, dst);
  }

  /** Merges a directory match's entries into the directory `dir` (resolved, inside the rootfs); `dir` takes the source's mtime unless `keepTime` is false. */
  async contentsInto(m: Match, dir: string, keepTime = true): Promise<void> {
    const st = await lstatOrNull(dir);
    if (!st?.isDirectory()) {
      if (!this.o.replace) throw new CopyError("COPY_FAILED", `cannot copy to non-directory: ${this.image(dir)}`);
      await rm(dir, { recursive: true, force: true });
      await this.mkdirAll(dir);
    }
    if (keepTime) this.#dirTimes.push({ path: dir, meta: metaOf(m.top.st) });
    // Directories in order (parents first), then everything else a few dozen at a time (thousands
    // of small files are bound by one syscall's latency each), and second names of hardlinked
    // files last, once their first name exists.
    const rest: SourceEntry[] = [];
    const links: SourceEntry[] = [];
    const seen = new Set<string>();
    for (const e of m.entries) {
      if (e.kind === "dir") {
        await this.place(e, posix.join(dir, e.rel));
        continue;
      }
      const key = `${e.st.dev}:${e.st.ino}`;
      if (e.kind === "file" && e.st.nlink > 1n && seen.has(key)) links.push(e);
      else {
        seen.add(key);
        rest.push(e);
      }
    }
    await mapLimit(rest, 32, (e) => this.place(e, posix.join(dir, e.rel)));
    for (const e of links) await this.place(e, posix.join(dir, e.rel));
  }

  async #clearFor(kind: EntryKind, target: string): Promise<boolean> {
    const cur = await lstatOrNull(target);
    if (cur === null) return false;
    if (kind === "dir") {
      if (cur.isDirectory()) return true;
      if (!this.o.replace) throw new CopyError("COPY_FAILED", `cannot copy to non-directory: ${this.image(target)}`);
      await unlink(target);
      return false;
    }
    if (cur.isDirectory()) {
      if (!this.o.replace) throw new CopyError("COPY_FAILED", `cannot replace to directory ${this.image(target)} with file`);
      await rm(target, { recursive: true, force: true });
      return false;
    }
    await unlink(target);
    return false;
  }

  /** Places one entry at `target` (a lexical path below checked directories). */
  async place(e: SourceEntry, target: string): Promise<void> {
    const meta = metaOf(e.st);
    const existed = await this.#clearFor(e.kind, target);
    switch (e.kind) {
      case "dir":
        if (!existed) await mkdir(target, { mode: 0o700 });
        else if (!e.selected) {
          // A parent made only for selected paths inside: an existing directory keeps its owner.
          await chmod(target, meta.mode);
          this.#dirTimes.push({ path: target, meta });
          return;
        }
        break;
      case "file": {
        const key = `${e.st.dev}:${e.st.ino}`;
        const first = e.st.nlink > 1n ? this.#inodes.get(key) : undefined;
        if (first !== undefined) await link(first, target);
        else {
          await copyFile(e.abs, target, constants.COPYFILE_EXCL);
          if (e.st.nlink > 1n) this.#inodes.set(key, target);
        }
        break;
      }
      case "symlink":
        await symlink(e.linkTarget ?? "", target);
        break;
      case "fifo":
      case "char":
      case "block":
        await makeNodes([{ path: target, kind: e.kind, major: Number(e.st.rdev >> 8n) & 0xfff, minor: (Number(e.st.rdev & 0xffn) | Number((e.st.rdev >> 12n) & 0xfff00n)) >>> 0 }]);
        break;
      case "socket":
        this.o.warn?.(`not copied, a socket: ${this.image(target)}`);
        return;
    }
    await this.setMeta(target, e.kind, meta);
    // After setMeta's chown, which clears security.capability; user.* cannot be set on links or devices.
    if (this.o.keepXattrs === true && (e.kind === "file" || e.kind === "dir")) copyKeptXattrs(e.abs, target);
  }

  /** Writes a file that has no source path (a heredoc, a download) to dest as BuildKit copies a single file. */
  async placeBlob(name: string, dest: string, write: (path: string) => Promise<void>, meta: Meta): Promise<void> {
    const dst = await this.prepareDest(dest);
    const target = (await lstatOrNull(dst))?.isDirectory() ? posix.join(dst, name) : dst;
    await this.mkdirAll(posix.dirname(target));
    await this.#clearFor("file", target);
    await write(target);
    await this.setMeta(target, "file", meta);
  }

  async setMeta(target: string, kind: EntryKind, meta: Meta): Promise<void> {
    const owner = this.o.owner ?? (this.o.keepOwner ? meta : { uid: 0, gid: 0 });
    await lchown(target, owner.uid, owner.gid);
    if (kind !== "symlink") await chmod(target, this.o.mode ? this.o.mode(meta.mode, kind === "dir") : meta.mode);
    if (kind === "dir") this.#dirTimes.push({ path: target, meta });
    else if (kind === "symlink") await lutimes(target, meta.atime, meta.mtime);
    else await utimes(target, meta.atime, meta.mtime);
  }

  /** Sets directory times once nothing more is written into them: recorded parents first, so applied children first. */
  async finish(): Promise<void> {
    for (const { path, meta } of this.#dirTimes.reverse()) await utimes(path, meta.atime, meta.mtime);
    this.#dirTimes.length = 0;
  }
}

export async function writeContent(path: string, content: string | Buffer): Promise<void> {
  await writeFile(path, content, { flag: "wx", mode: 0o600 });
}
