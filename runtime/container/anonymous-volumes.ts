import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Store } from "../store/store.ts";
import { type ContainerRecord, listContainers } from "./state.ts";

/**
 * The anonymous volumes of a container, as `run --mount type=volume` (without a source) records
 * them on the container: in its host config's mounts, named by 64 hex digits, kept as docker's
 * local driver keeps volumes (`<root>/volumes/<name>/`). Read through this shape so that a record
 * without them (older, or made without volumes) simply has none.
 */
interface VolumeMounts {
  readonly hostConfig?: { readonly mounts?: readonly { readonly type: string; readonly source?: string; readonly anonymous?: boolean }[] };
}

function anonymousVolumes(rec: ContainerRecord): string[] {
  const mounts = (rec as ContainerRecord & VolumeMounts).hostConfig?.mounts ?? [];
  return mounts.filter((m) => m.type === "volume" && m.anonymous === true && /^[a-f0-9]{64}$/.test(m.source ?? "")).map((m) => m.source as string);
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
