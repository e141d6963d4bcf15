import { parseName } from "./names.ts";
import type { LoadedImage, Store } from "./store.ts";

/**
 * The store's images, one per manifest, with every name that points at it (full names, in
 * index.json's order). A name is a tag (`busybox:latest`) or a repository digest
 * (`busybox@sha256:…`, docker's RepoDigests: the manifest digest a registry gave the image
 * when it was pulled or pushed). An image no tag names is dangling, as docker's daemon has it:
 * what `images -f dangling=true` lists and `image prune` removes; `images` shows it as
 * `<none>:<none>` only when no digest names it either (else `busybox <none>`).
 */
export interface StoredImage extends LoadedImage {
  readonly names: readonly string[];
  /** The names with a tag (docker's RepoTags). */
  readonly tags: readonly string[];
  /** The names with a digest (docker's RepoDigests), `repo@sha256:…`. */
  readonly digests: readonly string[];
  /**
   * No tag points at this manifest nor at its image ID through another manifest (the same
   * image under a name, say a pulled copy of a built one, is not dangling).
   */
  readonly dangling: boolean;
  /** An unnamed manifest of an image ID that another manifest's name names: not listed, as docker lists images by ID. */
  readonly unnamedCopy: boolean;
}

/** Whether a full name is a repository digest (`repo@sha256:…`) rather than a tag. */
export function isDigestName(name: string): boolean {
  return parseName(name).digest !== undefined;
}

export async function storedImages(store: Store): Promise<StoredImage[]> {
  const byManifest = new Map<string, { descriptor: Parameters<Store["loadManifest"]>[0]; names: string[] }>();
  for (const { name, descriptor } of await store.refs.list()) {
    const e = byManifest.get(descriptor.digest) ?? { descriptor, names: [] };
    if (name !== undefined) e.names.push(name);
    byManifest.set(descriptor.digest, e);
  }
  const images = await Promise.all(
    [...byManifest.values()].map(async ({ descriptor, names }) => {
      const digests = names.filter(isDigestName);
      return { ...(await store.loadManifest(descriptor)), names, digests, tags: names.filter((n) => !digests.includes(n)) };
    }),
  );
  const namedIds = new Set(images.filter((i) => i.names.length > 0).map((i) => i.configDigest));
  const taggedIds = new Set(images.filter((i) => i.tags.length > 0).map((i) => i.configDigest));
  return images.map((i) => ({ ...i, dangling: !taggedIds.has(i.configDigest), unnamedCopy: i.names.length === 0 && namedIds.has(i.configDigest) }));
}

export function isDangling(image: StoredImage): boolean {
  return image.dangling;
}

/** The dangling images. */
export async function danglingImages(store: Store): Promise<StoredImage[]> {
  return (await storedImages(store)).filter(isDangling);
}

/** docker's RepoTags and RepoDigests of an image ID: the names of every manifest of it, in index order. */
export function namesOfId(images: readonly StoredImage[], configDigest: string): { tags: string[]; digests: string[] } {
  const of = images.filter((i) => i.configDigest === configDigest);
  return { tags: of.flatMap((i) => i.tags), digests: of.flatMap((i) => i.digests) };
}
