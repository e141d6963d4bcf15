/**
 * A fuse-overlayfs upper dir → the overlay form every snapshot of the store has (overlay.ts), in
 * place, once it is unmounted: so write-layer.ts reads it as a kernel overlay upper dir and its
 * commit is a layer dir kernel overlayfs can mount too. Found by experiment (fuse-overlayfs 1.10,
 * as root and as root of a user namespace):
 * - a delete is a 0/0 character device, as the kernel's; where mknod is refused it is a regular
 *   file `.wh.<name>` instead: made a 0/0 device here.
 * - an opaque directory (made over a deleted one, and every directory it creates) carries
 *   `trusted.overlay.opaque` (as real root) or `user.fuseoverlayfs.opaque` (in a user namespace),
 *   plus a `.wh..wh..opq` file and a `.wh..opq` 0/0 device inside: the two entries are removed,
 *   and the mark is the opaque xattr of fs/userns.ts. A directory fuse-overlayfs makes where
 *   nothing was below is marked opaque too; the kernel leaves such a directory unmarked, so the
 *   mark is dropped when no lower dir has anything at that path (the layer tars then agree).
 * - copied-up entries carry `user.fuseoverlayfs.origin`: removed.
 * The times of a directory whose entries are removed are put back.
 */
import type { BigIntStats } from "node:fs";
import { lstat, readdir, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import { makeNodes } from "../layer/mknod.ts";
import { overlayXattrPrefix } from "../fs/userns.ts";
import { getAttributeSync, listAttributesSync, removeAttributeSync, setAttributeSync } from "../fs/xattr.ts";

const FUSE = "user.fuseoverlayfs.";
const OPAQUE_FILE = ".wh..wh..opq";
const OPAQUE_NODE = ".wh..opq";
const WH = ".wh.";

const isWhiteout = (st: BigIntStats): boolean => st.isCharacterDevice() && st.rdev === 0n;

/** Whether the lower dirs (absolute, topmost first) show something at `rel`: the topmost entry there is no whiteout. */
async function belowHas(lowers: readonly string[], rel: string): Promise<boolean> {
  for (const l of lowers) {
    const st = await lstat(join(l, rel), { bigint: true }).catch(() => undefined);
    if (st !== undefined) return !isWhiteout(st);
  }
  return false;
}

/** Normalises `upper` (see the header); `lowers` are the mount's lower dirs, absolute. */
export async function normalizeFuseUpper(upper: string, lowers: readonly string[]): Promise<void> {
  const opaqueName = `${overlayXattrPrefix()}opaque`;
  const whiteouts: string[] = [];
  const restore: [string, BigIntStats][] = [];
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === "" ? upper : join(upper, rel);
    const dirSt = await lstat(abs, { bigint: true });
    const names = await readdir(abs);
    let opaque = false;
    let touched = false;
    for (const name of names) {
      const p = join(abs, name);
      const st = await lstat(p, { bigint: true });
      if ((name === OPAQUE_FILE && st.isFile()) || (name === OPAQUE_NODE && isWhiteout(st))) {
        opaque ||= name === OPAQUE_FILE;
        await rm(p);
        touched = true;
        continue;
      }
      if (name.startsWith(WH) && st.isFile()) {
        await rm(p);
        whiteouts.push(join(abs, name.slice(WH.length)));
        touched = true;
        continue;
      }
      stripFuseXattrs(p);
      if (st.isDirectory()) await walk(rel === "" ? name : `${rel}/${name}`);
    }
    if (rel !== "") {
      for (const x of [`${FUSE}opaque`, "trusted.overlay.opaque", "user.overlay.opaque"]) {
        if (getAttributeSync(abs, x)?.toString() === "y") opaque = true;
        if (listAttributesSync(abs).includes(x)) removeAttributeSync(abs, x);
      }
      if (opaque && (await belowHas(lowers, rel))) setAttributeSync(abs, opaqueName, "y");
    }
    if (touched) restore.push([abs, dirSt]);
  };
  await walk("");
  await makeNodes(whiteouts.map((path) => ({ path, kind: "char", major: 0, minor: 0 })));
  for (const [dir, st] of restore) await utimes(dir, ns(st.atimeNs), ns(st.mtimeNs));
}

/** Seconds (as utimes takes them) of a time in nanoseconds. */
const ns = (t: bigint): number => Number(t / 1000n) / 1e6;

function stripFuseXattrs(p: string): void {
  for (const x of listAttributesSync(p)) {
    if (x.startsWith(FUSE) && x !== `${FUSE}opaque`) removeAttributeSync(p, x);
  }
}
