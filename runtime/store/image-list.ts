import type { LoadedImage, Store } from "./store.ts";

/**
 * The store's images, one per manifest, with every name that points at it (full names, in
 * index.json's order). An image with no name is dangling: docker's `<none>:<none>`, what
 * `images -f dangling=true` lists and `image prune` removes.
 */
export interface StoredImage extends LoadedImage {
  readonly names: readonly string[];
  /**
   * docker's `<none>:<none>`: no name points at this manifest nor at its image ID through another
   * manifest (the same image under a name, say a pulled copy of a built one, is not dangling).
   */
  readonly dangling: boolean;
}

export async function storedImages(store: Store): Promise<StoredImage[]> {
  const byManifest = new Map<string, { descriptor: Parameters<Store["loadManifest"]>[0]; names: string[] }>();
  for (const { name, descriptor } of await store.refs.list()) {
    const e = byManifest.get(descriptor.digest) ?? { descriptor, names: [] };
    if (name !== undefined) e.names.push(name);
    byManifest.set(descriptor.digest, e);
  }
  const images = await Promise.all([...byManifest.values()].map(async ({ descriptor, names }) => ({ ...(await store.loadManifest(descriptor)), names })));
  const namedIds = new Set(images.filter((i) => i.names.length > 0).map((i) => i.configDigest));
  return images.map((i) => ({ ...i, dangling: i.names.length === 0 && !namedIds.has(i.configDigest) }));
}

export function isDangling(image: StoredImage): boolean {
  return image.dangling;
}

/** The dangling images. */
export async function danglingImages(store: Store): Promise<StoredImage[]> {
  return (await storedImages(store)).filter(isDangling);
}
