/**
 * The metadata of a tree entry that the copying snapshotter (native.ts) carries and compares:
 * owner, mode, mtime and the kept xattrs (fs/kept-xattrs.ts), as a layer tar records them.
 * Times go through utimes as a double, which keeps about a tenth of a microsecond: two times
 * within a microsecond are the same time here.
 */
import type { BigIntStats } from "node:fs";
import { chmod, lchown, lutimes } from "node:fs/promises";
import { copyKeptXattrs, keptXattr } from "../fs/kept-xattrs.ts";
import { getAttributeSync, listAttributesSync } from "../fs/xattr.ts";

/**
 * Seconds, as utimes takes them, of a time in nanoseconds: a double, so within a quarter of a
 * microsecond of it today (not truncated to microseconds first, which with the double's rounding
 * could land more than `near`'s microsecond away and make a copied directory look changed).
 */
export const seconds = (ns: bigint): number => Number(ns) / 1e9;

/** Gives `dst` the owner, mode, times and kept xattrs of `src` (whose stat is `st`). */
export async function copyMeta(src: string, st: BigIntStats, dst: string): Promise<void> {
  await lchown(dst, Number(st.uid), Number(st.gid));
  if (!st.isSymbolicLink()) await chmod(dst, Number(st.mode) & 0o7777);
  copyKeptXattrs(src, dst);
  await lutimes(dst, seconds(st.atimeNs), seconds(st.mtimeNs));
}

function keptXattrs(p: string): string {
  return listAttributesSync(p)
    .filter(keptXattr)
    .sort()
    .map((n) => `${n}=${getAttributeSync(p, n)?.toString("hex") ?? ""}`)
    .join(",");
}

const near = (a: bigint, b: bigint): boolean => (a > b ? a - b : b - a) <= 1000n;

/** Whether two entries (same kind) carry the same metadata and, for non-directories, the same size and device. */
export function sameMeta(a: string, sa: BigIntStats, b: string, sb: BigIntStats): boolean {
  if (sa.mode !== sb.mode || sa.uid !== sb.uid || sa.gid !== sb.gid || !near(sa.mtimeNs, sb.mtimeNs)) return false;
  if (!sa.isDirectory() && (sa.size !== sb.size || sa.rdev !== sb.rdev)) return false;
  return keptXattrs(a) === keptXattrs(b);
}
