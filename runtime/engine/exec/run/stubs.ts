import type { BigIntStats } from "node:fs";
import { lstat, readdir, rm, rmdir, utimes } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { listAttributesSync } from "../../../fs/xattr.ts";
import { overlayXattrPrefix } from "../../../fs/userns.ts";
import { secureJoin } from "../../../fs/secure-join.ts";

/** What a directory looked like before the run. */
interface DirState {
  readonly mode: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
}

/**
 * Mount points a RUN needs that its rootfs does not have. runc creates each
 * missing component of a mount's destination (directories, an empty file for
 * a file bind) in the rootfs, which is the snapshot's merged view, so they
 * would land in the layer. As BuildKit's MountStubsCleaner (recursive, as its
 * runc executor uses it) does, after the run every such path still empty (an
 * empty directory or an empty regular file) is removed, deepest first, and
 * the times of the directory it was created in are put back.
 *
 * Removing a stub through the merged view leaves no whiteout (it was never in
 * a lower layer), but the directory that held it has been copied up to the
 * upper dir and would still show in the layer. BuildKit's differ skips such
 * unchanged copied-up directories; here the ones that are empty in the upper
 * dir, not opaque, and have exactly the owner, mode and mtime they had before
 * the run are removed from the upper dir, from the deepest up.
 */
export class MountStubs {
  readonly #rootfs: string;
  /** Host paths (under the rootfs) that did not exist before the run. */
  readonly #missing: string[];
  /** Existing ancestors of missing paths (host paths), with their state before the run. */
  readonly #ancestors: Map<string, DirState>;

  private constructor(rootfs: string, missing: string[], ancestors: Map<string, DirState>) {
    this.#rootfs = rootfs;
    this.#missing = missing;
    this.#ancestors = ancestors;
  }

  /** Records which components of `destinations` (container paths) are missing in `rootfs`. */
  static async find(rootfs: string, destinations: readonly string[]): Promise<MountStubs> {
    const missing = new Set<string>();
    const ancestors = new Map<string, DirState>();
    for (const dest of destinations) {
      let p = await secureJoin(rootfs, dest);
      while (p !== rootfs && p.startsWith(`${rootfs}/`)) {
        const st = await lstatBig(p);
        if (st !== undefined) {
          // The first existing component and every directory above it.
          for (let a = p; a !== rootfs && a.startsWith(`${rootfs}/`); a = dirname(a)) {
            if (ancestors.has(a)) break;
            const s = a === p ? st : await lstatBig(a);
            if (s === undefined || !s.isDirectory()) break;
            ancestors.set(a, { mode: s.mode, uid: s.uid, gid: s.gid, atimeNs: s.atimeNs, mtimeNs: s.mtimeNs });
          }
          break;
        }
        missing.add(p);
        p = dirname(p);
      }
    }
    return new MountStubs(rootfs, [...missing], ancestors);
  }

  /** Container paths that were missing (for tests and messages). */
  get missing(): string[] {
    return this.#missing.map((p) => `/${relative(this.#rootfs, p)}`);
  }

  /** After the run: removes the stubs, restores the times of their parents, prunes copied-up directories from `upper`. */
  async clean(upper: string): Promise<void> {
    const byDepth = (a: string, b: string): number => b.split("/").length - a.split("/").length || (a < b ? -1 : 1);
    for (const p of [...this.#missing].sort(byDepth)) {
      const st = await lstatBig(p);
      if (st === undefined) continue;
      if (st.isDirectory()) {
        if ((await readdir(p)).length !== 0) continue;
        await rmdir(p).catch(() => undefined);
      } else if (st.isFile() && st.size === 0n) {
        await rm(p, { force: true });
      } else continue;
      const before = this.#ancestors.get(dirname(p));
      if (before !== undefined) await restoreTimes(dirname(p), before);
    }
    for (const a of [...this.#ancestors.keys()].sort(byDepth)) {
      const before = this.#ancestors.get(a) as DirState;
      const inUpper = join(upper, relative(this.#rootfs, a));
      const st = await lstatBig(inUpper);
      if (st === undefined || !st.isDirectory()) continue;
      if (st.mode !== before.mode || st.uid !== before.uid || st.gid !== before.gid) continue;
      // utimes goes through a double: allow the sub-microsecond rounding it may add.
      if (absDiff(st.mtimeNs, before.mtimeNs) > 1000n) continue;
      if ((await readdir(inUpper)).length !== 0) continue;
      if (hasOwnAttributes(inUpper)) continue;
      await rmdir(inUpper).catch(() => undefined);
    }
  }
}

async function lstatBig(p: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(p, { bigint: true });
  } catch {
    return undefined;
  }
}

async function restoreTimes(dir: string, s: DirState): Promise<void> {
  const toSeconds = (ns: bigint): number => Number(ns / 1000n) / 1e6;
  await utimes(dir, toSeconds(s.atimeNs), toSeconds(s.mtimeNs)).catch(() => undefined);
}

const absDiff = (a: bigint, b: bigint): bigint => (a > b ? a - b : b - a);

/** Whether a directory of the upper dir carries anything but overlayfs' own bookkeeping (origin, impure). */
function hasOwnAttributes(p: string): boolean {
  try {
    const overlay = overlayXattrPrefix();
    return listAttributesSync(p).some((n) => !n.startsWith(overlay) || n === `${overlay}opaque`);
  } catch {
    return false;
  }
}
