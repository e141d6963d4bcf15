import type { Descriptor } from "./content-store.ts";
import type { Store } from "./store.ts";

/**
 * Dangling images, docker's `<none>:<none>`: index entries with no name (an
 * untagged build or commit, a load of an unnamed image). What `image prune`
 * removes and `images -f dangling=true` lists.
 */
export async function danglingImages(store: Store): Promise<Descriptor[]> {
  return (await store.refs.list()).filter((e) => e.name === undefined).map((e) => e.descriptor);
}

/** Drops the dangling images' entries (not those a container uses); returns the manifest digests dropped. */
export async function pruneDangling(store: Store, inUse: { has(imageId: string): boolean }): Promise<Descriptor[]> {
  const dropped: Descriptor[] = [];
  for (const d of await danglingImages(store)) {
    const img = await store.loadManifest(d);
    if (inUse.has(img.configDigest)) continue;
    await store.refs.dropUntagged(d.digest);
    dropped.push(d);
  }
  return dropped;
}
