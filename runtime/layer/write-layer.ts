/**
 * writeLayer: an overlayfs upper directory → an uncompressed OCI layer tar, hashed as written.
 *
 * Output is deterministic for a given tree: entries sorted by name bytes (a depth-first walk
 * whose per-directory order is the tar basename, dirs with their trailing "/", which gives a
 * globally byte-sorted stream with parents first); numeric uid/gid only; no atime/ctime;
 * ustar headers, PAX only for what does not fit and for `security.capability`. Overlay
 * whiteouts (0/0 char devices) become `.wh.<name>` files, opaque directories get a
 * `.wh..wh..opq` entry, both with mtime 0 (containerd's, see WHITEOUT_MTIME). Hardlinks inside the layer become link entries to the first path.
 * Never holds the layer in memory: file data is read straight into a 1 MiB staging buffer
 * that is hashed and written when full (small files on this thread: fs/small-files.ts).
 */
import { randomBytes } from "node:crypto";
import { type BigIntStats, constants } from "node:fs";
import { lstat, open, readdir, readlink, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { getAttributeSync, listAttributesSync } from "../fs/xattr.ts";
import { breathe, SMALL } from "../fs/small-files.ts";
import { LayerError } from "./errors.ts";
import { BLOCK, encodeHeader, type TarEntry } from "./tar-format.ts";
import { type DigestingSink, isDigestingSink, type Sink, TarOut } from "./tar-out.ts";
import { overlayXattrPrefix } from "../fs/userns.ts";

/** Where overlayfs keeps its marks in the upper dirs this process reads (fs/userns.ts). */
const OVERLAY = overlayXattrPrefix();

export type { DigestingSink } from "./tar-out.ts";

const KEPT_XATTRS = new Set(["security.capability"]);
const STAT_BATCH = 256;

/**
 * A whiteout's (and an opaque marker's) mtime: 0 (1970-01-01), with or without SOURCE_DATE_EPOCH,
 * as containerd v2's layer writer does: containerd/containerd pkg/archive/tar.go,
 * `ChangeWriter.HandleChange` ("Since containerd v2.0, the whiteout timestamps are set to zero
 * (1970-01-01), not to the source date epoch"; commit 0ca6ecaecc603c6a209bfb28f69a4005d5430995).
 * The overlay char device's own mtime is when the file was deleted: it would make the layer
 * differ from build to build.
 */
export const WHITEOUT_MTIME = 0;

export interface WriteLayerOptions {
  /** Clamp every mtime to at most this many seconds since the epoch (SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  /**
   * A plain directory tree, not an overlay upper dir (a container's rootfs for `export` and `cp`):
   * a 0/0 char device is a device, and overlay xattrs are neither acted on nor refused.
   */
  plain?: boolean;
}

/**
 * What `writeResource` writes: `top` (a name in the directory, or "." for the directory itself)
 * and everything below it, its entries named from `as` instead (docker's TarResourceRebase).
 */
export interface Resource {
  readonly top: string;
  readonly as: string;
}

export interface WriteLayerResult {
  /** "sha256:<hex>" of the uncompressed tar. */
  diffId: string;
  /** Bytes in the tar. */
  size: number;
}


interface Child {
  /** Tar basename (".wh.x" for whiteouts, "d/" for dirs): the sort key. */
  key: Buffer;
  name: string;
  st: BigIntStats;
  kind: "entry" | "whiteout" | "opaque";
}

class Walker {
  readonly out: TarOut;
  readonly root: string;
  readonly epoch: number | undefined;
  readonly plain: boolean;
  readonly rebase: Resource | undefined;
  readonly links = new Map<string, string>();

  constructor(out: TarOut, root: string, options: WriteLayerOptions, rebase?: Resource) {
    this.out = out;
    this.root = root;
    this.epoch = options.sourceDateEpoch;
    this.plain = options.plain === true;
    this.rebase = rebase;
  }

  /** An entry's name in the tar: its path, or with a resource's top renamed. */
  tarName(rel: string): string {
    return this.rebase === undefined ? rel : this.rebase.as + rel.slice(this.rebase.top.length);
  }

  mtime(st: BigIntStats): number {
    const s = Number(st.mtimeMs / 1000n);
    return this.epoch !== undefined && s > this.epoch ? this.epoch : s;
  }

  base(st: BigIntStats, name: string, type: TarEntry["type"]): TarEntry {
    return {
      name,
      type,
      mode: Number(st.mode) & 0o7777,
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: 0,
      mtime: this.mtime(st),
      linkname: "",
      devmajor: 0,
      devminor: 0,
      xattrs: new Map(),
    };
  }

  /** Overlay xattrs we act on or refuse; `security.capability` collected into `kept`. */
  xattrs(p: string, rel: string, isDir: boolean, kept: Map<string, Buffer>): boolean {
    let opaque = false;
    for (const name of listAttributesSync(p)) {
      if (this.plain && name.startsWith(OVERLAY)) continue;
      if (name === `${OVERLAY}opaque`) {
        opaque = isDir && getAttributeSync(p, name)?.toString() === "y";
      } else if (name === `${OVERLAY}redirect` || name === `${OVERLAY}metacopy`) {
        throw new LayerError(
          "LAYER_UNSUPPORTED_OVERLAY",
          rel,
          `upper dir entry has ${name}: mount overlay with redirect_dir=off,metacopy=off to get a self-contained diff`,
        );
      } else if (KEPT_XATTRS.has(name)) {
        const v = getAttributeSync(p, name);
        if (v !== null) kept.set(name, v);
      }
    }
    return opaque;
  }

  /** A directory's children in tar-name byte order; an opaque dir's marker sorts among them. */
  async dir(rel: string, opaque: BigIntStats | null = null): Promise<void> {
    const abs = rel === "" ? this.root : join(this.root, rel);
    const names = await readdir(abs);
    // At most STAT_BATCH lstats in flight: one promise per child of a 100,000-file directory
    // at once took ~400 MB (case 44 of RELIABILITY.md).
    const stats: BigIntStats[] = [];
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      stats.push(...(await Promise.all(names.slice(i, i + STAT_BATCH).map((n) => lstat(join(abs, n), { bigint: true })))));
    }
    const children: Child[] = [];
    if (opaque !== null) children.push({ key: Buffer.from(".wh..wh..opq"), name: "", st: opaque, kind: "opaque" });
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const st = stats[i] as BigIntStats;
      if (!this.plain && st.isCharacterDevice() && st.rdev === 0n) {
        children.push({ key: Buffer.from(`.wh.${name}`), name, st, kind: "whiteout" });
      } else {
        children.push({ key: Buffer.from(st.isDirectory() ? `${name}/` : name), name, st, kind: "entry" });
      }
    }
    children.sort((a, b) => Buffer.compare(a.key, b.key));
    for (const c of children) await this.child(rel, c);
  }

  async child(dirRel: string, c: Child): Promise<void> {
    const st = c.st;
    const rel = dirRel === "" ? c.name : `${dirRel}/${c.name}`;
    const prefix = dirRel === "" ? "" : `${dirRel}/`;
    const p = join(this.root, rel);
    if (c.kind === "whiteout") {
      const e = this.base(st, `${prefix}.wh.${c.name}`, "file");
      e.mode = 0o600;
      e.mtime = WHITEOUT_MTIME;
      await this.out.put(encodeHeader(e));
      return;
    }
    if (c.kind === "opaque") {
      const e = this.base(st, `${prefix}.wh..wh..opq`, "file");
      e.mode &= 0o777;
      e.mtime = WHITEOUT_MTIME;
      await this.out.put(encodeHeader(e));
      return;
    }
    if (st.isDirectory()) {
      const e = this.base(st, `${this.tarName(rel)}/`, "dir");
      const opaque = this.xattrs(p, rel, true, e.xattrs);
      await this.out.put(encodeHeader(e));
      return this.dir(rel, opaque ? st : null);
    }
    if (!st.isSymbolicLink() && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.links.get(key);
      if (first !== undefined) {
        const e = this.base(st, this.tarName(rel), "link");
        e.linkname = this.tarName(first);
        await this.out.put(encodeHeader(e));
        return;
      }
      this.links.set(key, rel);
    }
    if (st.isFile()) {
      const e = this.base(st, this.tarName(rel), "file");
      this.xattrs(p, rel, false, e.xattrs);
      e.size = Number(st.size);
      if (e.size <= SMALL) {
        await breathe();
        await this.out.put(encodeHeader(e));
        await this.out.smallFile(p, e.size, rel);
        return;
      }
      const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        await this.out.put(encodeHeader(e));
        await this.out.file(fh, e.size, rel);
      } finally {
        await fh.close();
      }
      return;
    }
    if (st.isSymbolicLink()) {
      const e = this.base(st, this.tarName(rel), "symlink");
      e.linkname = await readlink(p);
      await this.out.put(encodeHeader(e));
      return;
    }
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      const e = this.base(st, this.tarName(rel), st.isCharacterDevice() ? "char" : "block");
      const rdev = Number(st.rdev);
      // glibc's gnu_dev_major/minor encoding.
      e.devmajor = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
      e.devminor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
      await this.out.put(encodeHeader(e));
      return;
    }
    if (st.isFIFO()) {
      await this.out.put(encodeHeader(this.base(st, this.tarName(rel), "fifo")));
      return;
    }
    // Sockets have no tar form; like docker, leave them out.
  }
}

function streamSink(out: Writable): Sink {
  return {
    reusesBuffer: false,
    write(chunk) {
      return new Promise((resolve, reject) => {
        if (out.destroyed) return reject(new Error("output stream was destroyed"));
        if (out.write(chunk)) return resolve();
        const onDrain = () => {
          out.off("error", onError);
          resolve();
        };
        const onError = (err: Error) => {
          out.off("drain", onDrain);
          reject(err);
        };
        out.once("drain", onDrain);
        out.once("error", onError);
      });
    },
  };
}

async function writeTar(upperDir: string, sink: Sink, options: WriteLayerOptions, digest?: () => string, resource?: Resource): Promise<WriteLayerResult> {
  const out = new TarOut(sink, digest === undefined);
  const walker = new Walker(out, upperDir, options, resource);
  if (resource === undefined) await walker.dir("");
  else {
    const st = await lstat(join(upperDir, resource.top), { bigint: true });
    await walker.child("", { key: Buffer.from(resource.top), name: resource.top, st, kind: "entry" });
  }
  await out.zeros(2 * BLOCK);
  await out.flush();
  return { diffId: digest ? digest() : out.digest(), size: out.size };
}

/**
 * A tar of one resource of a plain directory (see Resource) to a stream, ended once complete:
 * what `cp` sends. Nothing is followed: a symlink is an entry, and `dir` must be a real directory.
 */
export async function writeResource(dir: string, resource: Resource, out: Writable): Promise<WriteLayerResult> {
  const result = await writeTar(dir, streamSink(out), { plain: true }, undefined, resource);
  await new Promise<void>((resolve, reject) => {
    out.once("error", reject);
    out.end(() => resolve());
  });
  return result;
}

/**
 * Write the layer tar of an overlay upper dir. With a path, writes a temp file beside it,
 * fsyncs, checks its size and renames it into place. With a stream, writes with backpressure
 * and ends the stream once the tar is complete. With a DigestingSink, hands it the tar and
 * takes its digest as the diffID (nothing is ended: the caller commits).
 */
export async function writeLayer(
  upperDir: string,
  out: Writable | string | DigestingSink,
  options: WriteLayerOptions = {},
): Promise<WriteLayerResult> {
  if (isDigestingSink(out)) return writeTar(upperDir, { reusesBuffer: true, write: (c) => out.write(c) }, options, () => out.digest());
  if (typeof out !== "string") {
    const result = await writeTar(upperDir, streamSink(out), options);
    await new Promise<void>((resolve, reject) => {
      out.once("error", reject);
      out.end(() => resolve());
    });
    return result;
  }
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  const fh = await open(tmp, "wx", 0o644);
  let done = false;
  try {
    let pos = 0;
    const result = await writeTar(
      upperDir,
      {
        reusesBuffer: true,
        async write(chunk) {
          let off = 0;
          while (off < chunk.length) {
            const { bytesWritten } = await fh.write(chunk, off, chunk.length - off, pos);
            off += bytesWritten;
            pos += bytesWritten;
          }
        },
      },
      options,
    );
    await fh.sync();
    await fh.close();
    const written = (await stat(tmp)).size;
    if (written !== result.size) {
      throw new LayerError("LAYER_VERIFY_FAILED", "", `layer file ${tmp} has ${written} bytes, expected ${result.size}`);
    }
    await rename(tmp, out);
    done = true;
    return result;
  } finally {
    if (!done) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
}
