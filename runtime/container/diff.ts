import type { Stats } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { containerSnapshotter } from "./snapshotter.ts";
import type { Store } from "../store/store.ts";
import { type ContainerRecord, ContainerPaths } from "./state.ts";

export type ChangeKind = "A" | "C" | "D";

export interface Change {
  readonly kind: ChangeKind;
  readonly path: string;
}

const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

/**
 * docker's `diff` of an overlay container (its archive.OverlayChanges): the
 * upper dir is the change set. A whiteout is `D`; anything else is `C` when
 * the path exists below (the init layer and the image's layers, topmost
 * first), `A` when it does not. A directory that exists below with the same
 * mode, size and mtime is not a change by itself, but the parent directory of
 * every change is `C`. Sorted by path.
 */
export async function containerChanges(store: Store, rec: ContainerRecord): Promise<Change[]> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const snapshots = await containerSnapshotter(store, rec);
  const lowers = [paths.init, ...[...new Set([...rec.diffIds].reverse())].map((d) => snapshots.layerDir(d))];
  const changeSet = await snapshots.changeSet([paths.init], rec.diffIds, paths.upper, paths.work);
  try {
    return await changesOf(changeSet.dir, lowers);
  } finally {
    await changeSet.release();
  }
}

/** The changes of an overlay upper dir over `lowers` (absolute, topmost first). */
async function changesOf(upper: string, lowers: readonly string[]): Promise<Change[]> {
  const below = async (p: string): Promise<Stats | undefined> => {
    for (const dir of lowers) {
      const st = await lstat(join(dir, p)).catch(() => undefined);
      if (st === undefined) continue;
      return isWhiteout(st) ? undefined : st;
    }
    return undefined;
  };
  const changes = new Map<string, ChangeKind>();
  const markParents = (p: string): void => {
    for (let parent = p.slice(0, p.lastIndexOf("/")); parent !== ""; parent = parent.slice(0, parent.lastIndexOf("/"))) {
      if (!changes.has(parent)) changes.set(parent, "C");
    }
  };
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(join(upper, rel)).catch(() => [] as string[]);
    for (const name of names) {
      const p = `${rel}/${name}`;
      const st = await lstat(join(upper, p));
      if (isWhiteout(st)) {
        changes.set(p, "D");
        markParents(p);
        continue;
      }
      const old = await below(p);
      if (old === undefined) {
        changes.set(p, "A");
        markParents(p);
      } else if (!(st.isDirectory() && old.isDirectory() && st.mode === old.mode && st.size === old.size && Math.floor(st.mtimeMs) === Math.floor(old.mtimeMs))) {
        changes.set(p, "C");
        markParents(p);
      }
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk("");
  return [...changes].map(([path, kind]) => ({ kind, path })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
