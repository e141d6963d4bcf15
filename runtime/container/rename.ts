import type { Store } from "../store/store.ts";
import { ContainerStateError } from "./lifecycle.ts";
import { type ContainerRecord, releaseName, reserveName, saveRecord } from "./state.ts";

/**
 * `rename`: the new name is reserved first (refused when invalid or taken, as for --name),
 * then the record rewritten, then the old name freed; running or not. Nothing else knows a
 * container by its name (runc's id is made from its ID).
 */
export async function renameContainer(store: Store, rec: ContainerRecord, newName: string): Promise<ContainerRecord> {
  if (newName === rec.name) throw new ContainerStateError(`Renaming a container with the same name as its current name: ${newName}`);
  await reserveName(store, rec.id, newName);
  const renamed = { ...rec, name: newName };
  try {
    await saveRecord(store, renamed);
  } catch (e) {
    await releaseName(store, newName);
    throw e;
  }
  await releaseName(store, rec.name);
  return renamed;
}
