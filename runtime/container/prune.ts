import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Store } from "../store/store.ts";
import { removeContainer } from "./lifecycle.ts";
import { type ContainerRecord, ContainerPaths, listContainers } from "./state.ts";
import { containerStatus, isRunning } from "./status.ts";

/** The bytes under `dir` (files' and links' sizes, as docker's SizeRw counts a container's changes). */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (st === undefined) continue;
    total += st.isDirectory() ? await treeSize(join(dir, name)) : st.size;
  }
  return total;
}

export interface ContainerPruneReport {
  readonly ids: readonly string[];
  /** What their changes took (docker's SpaceReclaimed). */
  readonly bytes: number;
}

/** docker's container prune: every container that is not running and that `wanted` takes is removed. */
export async function pruneContainers(store: Store, wanted: (rec: ContainerRecord) => boolean): Promise<ContainerPruneReport> {
  const ids: string[] = [];
  let bytes = 0;
  for (const rec of await listContainers(store)) {
    if (!wanted(rec) || isRunning(await containerStatus(store, rec))) continue;
    const size = await treeSize(new ContainerPaths(store.layout.root, rec.id).upper);
    await removeContainer(store, rec, false);
    ids.push(rec.id);
    bytes += size;
  }
  return { ids, bytes };
}
