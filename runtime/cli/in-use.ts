import { listContainers } from "../container/state.ts";
import type { Store } from "../store/store.ts";

/** Layers and image ids the store's containers use: gc keeps them, rmi refuses to delete their images. */
export async function containerUse(store: Store): Promise<{ layers: Set<string>; images: Map<string, string[]> }> {
  const layers = new Set<string>();
  const images = new Map<string, string[]>();
  for (const c of await listContainers(store)) {
    for (const l of [...c.layers.map((l) => l.digest), ...c.diffIds]) layers.add(l);
    images.set(c.imageId, [...(images.get(c.imageId) ?? []), c.name]);
  }
  return { layers, images };
}
