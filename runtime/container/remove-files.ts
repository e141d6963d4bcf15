import { rm } from "node:fs/promises";
import type { Store } from "../store/store.ts";
import { runc } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, releaseName, runcId } from "./state.ts";
import { unmountAll } from "./unmount.ts";

/** A container that no longer runs, removed: runc's state, every mount under its dir, its files, its name. */
export async function deleteContainerFiles(store: Store, rec: ContainerRecord): Promise<void> {
  const rid = runcId(rec.id);
  await runc(store.layout.runc, ["delete", "--force", rid]);
  await rm(`${store.layout.runc}/${rid}`, { recursive: true, force: true });
  const paths = new ContainerPaths(store.layout.root, rec.id);
  await unmountAll(paths.dir);
  await rm(paths.dir, { recursive: true, force: true });
  await releaseName(store, rec.name);
}
