import type { LoadedImage, Store } from "./store.ts";

/**
 * The store's images, one per manifest, with every name that points at it (full names, in
 * index.json's order). An image with no name is dangling: docker's `<none>:<none>`, what
 * `images -f dangling=true` lists and `image prune` removes.
 */
export interface StoredImage extends LoadedImage {
  readonly names: readonly string[];
}

export async function storedImages(store: Store): Promise<StoredImage[]> {
  const byManifest = new Map<string, { descriptor: Parameters<Store["loadManifest"]>[0]; names: string[] }>();
  for (const { name, descriptor } of await store.refs.list()) {
    const e = byManifest.get(descriptor.digest) ?? { descriptor, names: [] };
    if (name !== undefined) e.names.push(name);
    byManifest.set(descriptor.digest, e);
  }
  return Promise.all([...byManifest.values()].map(async ({ descriptor, names }) => ({ ...(await store.loadManifest(descriptor)), names })));
}

export function isDangling(image: StoredImage): boolean {
  return image.names.length === 0;
}

/** The images no name points at. */
export async function danglingImages(store: Store): Promise<StoredImage[]> {
  return (await storedImages(store)).filter(isDangling);
}
