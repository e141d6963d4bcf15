/**
 * The union of layer dirs (the store's overlay form: 0/0 character devices for whiteouts,
 * opaque directories by the xattr of fs/userns.ts) made as one plain directory tree, what an
 * overlay mount of them shows: the copying snapshotter's filesystem (native.ts). Layers are laid
 * down bottom first: a whiteout removes what is below it, an opaque directory replaces the one
 * below, any other entry replaces what is at its path; a directory's metadata is its topmost
 * layer's, set once every layer is down (adding entries changes a directory's mtime).
 * `link` makes files hard links to the layers' (a read-only view: nothing writes through it);
 * otherwise they are copies, with their metadata, and hard links inside a layer stay links.
 */
import type { BigIntStats } from "node:fs";
import { copyFile, link, lstat, mkdir, readdir, readlink, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { overlayXattrPrefix } from "../fs/userns.ts";
import { getAttributeSync } from "../fs/xattr.ts";
import { makeNodes, type NodeSpec } from "../layer/mknod.ts";
import { copyMeta } from "./tree-meta.ts";

const isWhiteout = (st: BigIntStats): boolean => st.isCharacterDevice() && st.rdev === 0n;

/** Whether `p` (a layer's directory) is opaque. */
export function isOpaque(p: string): boolean {
  return getAttributeSync(p, `${overlayXattrPrefix()}opaque`)?.toString() === "y";
}

/** Lays `layers` (absolute, bottom first) into the empty directory `target`. */
export async function copyUnion(layers: readonly string[], target: string, o: { link: boolean }): Promise<void> {
  /** Each directory of the tree with the layer dir it takes its metadata from. */
  const dirs = new Map<string, { src: string; st: BigIntStats }>();
  for (const layer of layers) {
    const nodes: { spec: NodeSpec; src: string; st: BigIntStats }[] = [];
    const links = new Map<string, string>();
    const walk = async (rel: string): Promise<void> => {
      for (const name of await readdir(join(layer, rel))) {
        const r = rel === "" ? name : `${rel}/${name}`;
        const src = join(layer, r);
        const dst = join(target, r);
        const st = await lstat(src, { bigint: true });
        const old = await lstat(dst, { bigint: true }).catch(() => undefined);
        if (isWhiteout(st)) {
          if (old !== undefined) await rm(dst, { recursive: true, force: true });
          continue;
        }
        if (st.isDirectory()) {
          if (old !== undefined && (!old.isDirectory() || isOpaque(src))) await rm(dst, { recursive: true, force: true });
          if (old === undefined || !old.isDirectory() || isOpaque(src)) await mkdir(dst);
          dirs.set(dst, { src, st });
          await walk(r);
          continue;
        }
        if (old !== undefined) await rm(dst, { recursive: true, force: true });
        await place(src, st, dst, o.link, links, nodes);
      }
    };
    await walk("");
    await makeNodes(nodes.map((n) => n.spec));
    for (const n of nodes) await copyMeta(n.src, n.st, n.spec.path);
  }
  // Children first; a directory a later layer removed (or replaced by a non-directory) is skipped.
  for (const [dst, { src, st }] of [...dirs].reverse()) {
    if ((await lstat(dst).catch(() => undefined))?.isDirectory()) await copyMeta(src, st, dst);
  }
}

/** Puts one non-directory of a layer at `dst`; device nodes and fifos are collected in `nodes` (made in one go). */
async function place(src: string, st: BigIntStats, dst: string, byLink: boolean, links: Map<string, string>, nodes: { spec: NodeSpec; src: string; st: BigIntStats }[]): Promise<void> {
  if (byLink && !st.isSymbolicLink()) {
    await link(src, dst);
    return;
  }
  if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1n ? links.get(key) : undefined;
    if (first !== undefined) {
      await link(first, dst);
      return;
    }
    if (st.nlink > 1n) links.set(key, dst);
    await copyFile(src, dst);
  } else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    const rdev = Number(st.rdev);
    const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
    const minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
    nodes.push({ spec: { path: dst, kind: st.isFIFO() ? "fifo" : st.isCharacterDevice() ? "char" : "block", major, minor }, src, st });
    return;
  } else {
    return; // sockets: never in a layer
  }
  await copyMeta(src, st, dst);
}
