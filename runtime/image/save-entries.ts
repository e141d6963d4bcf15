/**
 * What `strata save` (and build's type=oci/type=docker outputs) write for each name: one image,
 * or for a name that points at an image index (a multi-platform build or pull) every platform's
 * image and an index over them, as `docker save` with the containerd store and `skopeo copy
 * --all` write it. Each image is in the form it leaves the machine in (distribution.ts: layers
 * compressed), so the archive's manifests, and its index, are not the store's bytes; a load
 * makes the store's again (load.ts), the same digests for the same images.
 *
 * With a platform asked, an index gives only that platform's image (a plain one-image entry),
 * and a one-platform image of another platform is refused, as docker's save --platform is.
 */
import { createHash } from "node:crypto";
import { imagePlatform, platformMatches } from "../../compiler/lower/platform.ts";
import type { Compression } from "../store/compressed.ts";
import type { Descriptor } from "../store/content-store.ts";
import { ociIndex, pickPlatform, platformManifests } from "../store/image-index.ts";
import { familiarName, parseName } from "../store/names.ts";
import { type IndexJson, MediaType } from "../store/oci.ts";
import { ImageNotFoundError, type LoadedImage, type Store } from "../store/store.ts";
import { type DistributionImage, distributionImage } from "./distribution.ts";

/** A name (or image ID) of the store, or an image already loaded with the names it is saved under (a build's result). */
export type SaveSource = string | { readonly image: LoadedImage; readonly names: readonly string[] };

export interface SaveEntry {
  /** The image, or each platform's image in the index's order. */
  readonly images: readonly DistributionImage[];
  /** The index over `images` (each with its platform), for a multi-platform entry. */
  readonly index?: { readonly bytes: Buffer; readonly descriptor: Descriptor };
  /** Which of `images` docker's manifest.json gives the names: this machine's platform, else the first. */
  readonly primary: number;
  readonly names: string[];
}

export async function saveEntries(store: Store, sources: readonly SaveSource[], o: { compression: Compression; platform?: string | undefined }): Promise<SaveEntry[]> {
  const entries: (SaveEntry & { key: string })[] = [];
  for (const ref of sources) {
    const img = typeof ref === "string" ? await store.getImage(ref, o.platform) : ref.image;
    if (o.platform !== undefined && img.index === undefined && !platformMatches(o.platform, imagePlatform(img.config))) {
      throw new ImageNotFoundError(`image ${typeof ref === "string" ? ref : img.configDigest} does not provide the platform ${o.platform} (it is ${imagePlatform(img.config)})`);
    }
    const names = typeof ref === "string" ? await savedNames(store, ref) : ref.names.map((n) => familiarName(parseName(n)));
    const multi = img.index !== undefined && o.platform === undefined;
    const key = multi ? img.top.digest : img.configDigest;
    const existing = entries.find((e) => e.key === key);
    if (existing) {
      existing.names.push(...names.filter((n) => !existing.names.includes(n)));
      continue;
    }
    if (multi && img.index) entries.push({ key, ...(await indexEntry(store, img.index, o.compression)), names });
    else entries.push({ key, images: [await distributionImage(store, img, { compression: o.compression })], primary: 0, names });
  }
  return entries;
}

/** Every platform's image of a stored index, and the index over them as they are saved. */
async function indexEntry(store: Store, index: IndexJson, compression: Compression): Promise<Omit<SaveEntry, "names">> {
  const children = platformManifests(index);
  const images: DistributionImage[] = [];
  const saved: Descriptor[] = [];
  for (const c of children) {
    const img = await distributionImage(store, await store.loadManifest(c), { compression });
    images.push(img);
    saved.push({ ...img.manifestDescriptor, ...(c.platform && { platform: c.platform }) });
  }
  const bytes = ociIndex(saved);
  const descriptor: Descriptor = { mediaType: MediaType.index, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length };
  const host = pickPlatform(index, undefined);
  return { images, index: { bytes, descriptor }, primary: Math.max(0, children.findIndex((c) => c.digest === host?.digest)) };
}

/** The name a stored image is saved under: none when `ref` is its ID. */
async function savedNames(store: Store, ref: string): Promise<string[]> {
  const isId = /^(sha256:)?[a-f0-9]{6,64}$/.test(ref) && (await store.refs.resolve(ref).catch(() => undefined)) === undefined;
  return isId ? [] : [familiarName(parseName(ref))];
}
