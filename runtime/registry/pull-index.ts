/**
 * Pulls that leave a name pointing at a local image index (store/image-index.ts), whose every
 * child the store holds: `pull --all-platforms` stores each platform child of a remote index
 * (attestation manifests, platform unknown/unknown, left out) and writes an index over them;
 * `pull --platform P` of a name the store has for other platforms writes an index of those and
 * P's, as containerd keeps the platforms it has. A name left with one platform stays a plain
 * manifest.
 */
import type { Descriptor } from "../store/content-store.ts";
import { descriptorPlatform, isIndexType, platformManifests, withPlatform } from "../store/image-index.ts";
import type { ImageConfigJson, IndexJson } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { RegistryError } from "./errors.ts";
import { manifestOf, type PullSession, storeManifest } from "./pull-manifest.ts";

type Platform = NonNullable<Descriptor["platform"]>;

/** A stored child's platform descriptor: the remote index's for it, else its config's. */
export function childPlatform(remote: Platform | undefined, config: ImageConfigJson): Platform {
  const p = remote ?? config;
  return { os: p.os || "linux", architecture: p.architecture, ...(p.variant && { variant: p.variant }) };
}

/** Stores every platform of the remote `index` and an index over them; returns the local index. */
export async function pullAllPlatforms(p: PullSession, store: Store, index: IndexJson, label: string): Promise<Descriptor> {
  const wanted = platformManifests(index);
  if (wanted.length === 0) throw new RegistryError("REGISTRY_NO_PLATFORM", `${label}: the image index lists no image manifest with a platform`);
  const children: Descriptor[] = [];
  for (const d of wanted) {
    p.log(`${descriptorPlatform(d)}: Pulling ${d.digest}`);
    const child = await p.repo.getManifest(d.digest);
    const r = await storeManifest(p, { ...child, manifest: manifestOf(child, label) }, label);
    children.push({ ...r.desc, platform: childPlatform(d.platform, r.config) });
  }
  return store.writeIndex(children);
}

/** What `name` points at in the store before the pull (undefined: nothing, or nothing readable). */
export async function namedBefore(store: Store, name: string): Promise<LoadedImage | undefined> {
  const desc = await store.refs.resolve(name);
  return desc === undefined ? undefined : store.loadManifest(desc).catch(() => undefined);
}

/**
 * What the name is to point at after a pull stored `pulled` (with its platform): an index of the
 * platforms it had (`had`) and `pulled`, replacing one of its platform, or `pulled` alone when
 * that is the only one.
 */
export async function keepOtherPlatforms(store: Store, had: LoadedImage | undefined, pulled: Descriptor): Promise<Descriptor> {
  let children: Descriptor[] = [];
  if (had?.index) children = platformManifests(had.index);
  else if (had?.config.architecture) children = [{ ...had.manifestDescriptor, platform: childPlatform(undefined, had.config) }];
  const all = withPlatform(children, pulled);
  if (all.length === 1) return { mediaType: pulled.mediaType, digest: pulled.digest, size: pulled.size };
  return store.writeIndex(all);
}

/**
 * The `<none>` entries a new local index makes redundant once the name points at it: its
 * children's (the manifest the name had, now one of them) and the index the name had when the
 * new one lists all of its platforms' images.
 */
export async function absorbed(store: Store, target: Descriptor, had: LoadedImage | undefined): Promise<string[]> {
  if (!isIndexType(target.mediaType)) return [];
  const children = platformManifests(await store.content.readJson<IndexJson>(target.digest)).map((c) => c.digest);
  const hadAll = had?.index !== undefined && platformManifests(had.index).every((c) => children.includes(c.digest));
  return hadAll && had ? [...children, had.top.digest] : children;
}
