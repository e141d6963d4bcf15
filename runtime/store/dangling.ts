import type { Descriptor } from "./content-store.ts";
import type { Store } from "./store.ts";

/**
 * Dangling images, docker's `<none>:<none>`: index entries with no name (an
 * untagged build or commit, a load of an unnamed image) of an image ID no
 * name points at (the same image under a name, in another manifest, is not
 * dangling). What `image prune` removes and `images` lists as `<none>`.
 */
export async function danglingImages(store: Store): Promise<Descriptor[]> {
  const entries = await store.refs.list();
  if (entries.every((e) => e.name !== undefined)) return [];
  const ids = await Promise.all(entries.map(async (e) => (await store.loadManifest(e.descriptor)).configDigest));
  const named = new Set(ids.filter((_, i) => entries[i]?.name !== undefined));
  return entries.filter((e, i) => e.name === undefined && !named.has(ids[i] as string)).map((e) => e.descriptor);
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
