/**
 * The change set of a plain tree against the union of layer dirs it started from, written as an
 * overlay upper dir (the store's overlay form), so write-layer.ts makes its tar as it does for
 * kernel overlayfs and the copying snapshotter (native.ts) commits it as any other layer:
 * - a path only in the tree: the tree's entry (a directory with everything in it);
 * - a path in both, of one kind: nothing when metadata (owner, mode, mtime, size, kept xattrs,
 *   a symlink's target) is the same, else the tree's entry; a directory that holds a change is
 *   there with the tree's metadata, as overlayfs copies it up;
 * - a directory where the layers have a non-directory: an opaque directory, as overlayfs makes;
 * - a path only in the layers: a whiteout (a 0/0 character device).
 * Files are hard links to the tree's (same inode: same bytes, owner, times, xattrs; hard links
 * inside the tree stay links), so nothing is copied. A directory removed and made again is an
 * opaque directory, as overlayfs makes it: it is told by its birth time, later than `since` (when
 * the tree was copied; where the filesystem keeps no birth times, it is seen as its changed
 * entries and whiteouts of what it lost: the same filesystem, not the same tar). Like containerd's and buildah's naive differs,
 * the comparison is by metadata, not by content.
 */
import type { BigIntStats } from "node:fs";
import { copyFile, link, lstat, mkdir, readdir, readlink, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { overlayXattrPrefix } from "../fs/userns.ts";
import { setAttributeSync } from "../fs/xattr.ts";
import { makeNodes } from "../layer/mknod.ts";
import { copyMeta, sameMeta } from "./tree-meta.ts";
import { isOpaque } from "./union-copy.ts";

const isWhiteout = (st: BigIntStats): boolean => st.isCharacterDevice() && st.rdev === 0n;

interface Below {
  readonly path: string;
  readonly st: BigIntStats;
  /** The index of its layer among the directory's layers. */
  readonly at: number;
}

class ChangeSet {
  readonly whiteouts: string[] = [];
  /** Directories of `out` with the tree directory they take their metadata from, parents first. */
  readonly dirs: [string, string, BigIntStats][] = [];
  readonly tree: string;
  readonly out: string;
  readonly since: bigint;

  constructor(tree: string, out: string, since: bigint) {
    this.tree = tree;
    this.out = out;
    this.since = since;
  }

  /** Compares the directory `rel`; `layers` are the layer dirs it is a directory in (topmost first, down to an opaque one). Returns whether anything changed. */
  async dir(rel: string, layers: readonly string[]): Promise<boolean> {
    const below = new Map<string, Below | null>();
    for (const [at, layer] of layers.entries()) {
      for (const name of await readdir(join(layer, rel)).catch(() => [] as string[])) {
        if (below.has(name)) continue;
        const path = join(layer, rel, name);
        const st = await lstat(path, { bigint: true });
        below.set(name, isWhiteout(st) ? null : { path, st, at });
      }
    }
    let changed = false;
    const names = await readdir(join(this.tree, rel));
    for (const name of names) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const src = join(this.tree, r);
      const st = await lstat(src, { bigint: true });
      const old = below.get(name) ?? undefined;
      if (old === undefined) {
        await this.add(r, st);
        changed = true;
      } else if (st.isDirectory() && old.st.isDirectory() && st.birthtimeNs > this.since && this.since > 0n) {
        await this.add(r, st);
        setAttributeSync(join(this.out, r), `${overlayXattrPrefix()}opaque`, "y");
        changed = true;
      } else if (st.isDirectory() && old.st.isDirectory()) {
        await mkdir(join(this.out, r));
        const index = this.dirs.push([join(this.out, r), src, st]) - 1;
        const inner = await this.dir(r, await subLayers(layers, old.at, r));
        if (inner || !sameMeta(src, st, old.path, old.st)) changed = true;
        else {
          await rmdir(join(this.out, r));
          this.dirs.splice(index);
        }
      } else if (st.isDirectory()) {
        await this.add(r, st);
        setAttributeSync(join(this.out, r), `${overlayXattrPrefix()}opaque`, "y");
        changed = true;
      } else if (!(await sameEntry(src, st, old))) {
        await this.add(r, st);
        changed = true;
      }
    }
    const inTree = new Set(names);
    for (const [name, old] of below) {
      if (old === null || inTree.has(name)) continue;
      this.whiteouts.push(join(this.out, rel, name));
      changed = true;
    }
    return changed;
  }

  /** The tree's entry at `rel` (and everything under it) into the change set. */
  async add(rel: string, st: BigIntStats): Promise<void> {
    const src = join(this.tree, rel);
    const dst = join(this.out, rel);
    if (!st.isDirectory()) {
      await link(src, dst).catch(() => copyFile(src, dst));
      return;
    }
    await mkdir(dst);
    this.dirs.push([dst, src, st]);
    for (const name of await readdir(src)) await this.add(`${rel}/${name}`, await lstat(join(src, name), { bigint: true }));
  }
}

/** The layers (roots) the subdirectory `rel`, found in `layers[from]`, is a directory in: down to an opaque one, stopping at anything else. */
async function subLayers(layers: readonly string[], from: number, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const layer of layers.slice(from)) {
    const p = join(layer, rel);
    const st = await lstat(p).catch(() => undefined);
    if (st === undefined) continue;
    if (!st.isDirectory()) break;
    out.push(layer);
    if (isOpaque(p)) break;
  }
  return out;
}

async function sameEntry(src: string, st: BigIntStats, old: Below): Promise<boolean> {
  if ((st.mode & 0o170000n) !== (old.st.mode & 0o170000n)) return false;
  if (!sameMeta(src, st, old.path, old.st)) return false;
  return !st.isSymbolicLink() || (await readlink(src)) === (await readlink(old.path));
}

/**
 * Writes the change set of `tree` against `layers` (absolute layer dirs, topmost first) into the
 * empty directory `out`. `copied` is a file made once the tree was copied: a directory born
 * after it was made again.
 */
export async function writeChangeSet(tree: string, layers: readonly string[], out: string, copied: string): Promise<void> {
  const since = (await lstat(copied, { bigint: true })).birthtimeNs;
  const c = new ChangeSet(tree, out, since);
  await c.dir("", layers);
  await makeNodes(c.whiteouts.map((path) => ({ path, kind: "char", major: 0, minor: 0 })));
  for (const [dst, src, st] of [...c.dirs].reverse()) await copyMeta(src, st, dst);
}
