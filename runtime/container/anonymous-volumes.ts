import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Store } from "../store/store.ts";
import { type ContainerRecord, listContainers } from "./state.ts";

/**
 * The anonymous volumes of a container, as `run --mount type=volume` (without a source) records
 * them in its host config (host-config.ts), kept as docker's local driver keeps volumes
 * (`<root>/volumes/<name>/`); a record without them (older, or made without volumes) has none.
 */
function anonymousVolumes(rec: ContainerRecord): string[] {
  return (rec.hostConfig?.mounts ?? []).flatMap((m) => (m.type === "volume" && m.anonymous === true ? [m.source] : []));
}

/**
 * `rm -v`: the anonymous volumes of a removed container go too, unless another container
 * still has one mounted (docker keeps those). Named volumes are always kept.
 */
export async function removeAnonymousVolumes(store: Store, rec: ContainerRecord): Promise<string[]> {
  const inUse = new Set((await listContainers(store)).filter((c) => c.id !== rec.id).flatMap(anonymousVolumes));
  const removed: string[] = [];
  for (const name of anonymousVolumes(rec)) {
    if (inUse.has(name)) continue;
    await rm(join(store.layout.root, "volumes", name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
