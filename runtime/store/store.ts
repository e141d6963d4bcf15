import type { Descriptor } from "./content-store.ts";
import { FileContentStore } from "./content-store.ts";
import { StoreLayout } from "./layout.ts";
import { imagePlatform } from "../../compiler/lower/platform.ts";
import { descriptorPlatform, isIndexType, ociIndex, pickPlatform, platformManifests } from "./image-index.ts";
import { type ImageConfigJson, type IndexJson, type ManifestJson, MediaType, ociManifest } from "./oci.ts";
import { reclaim } from "./reclaim.ts";
import { RefStore } from "./refs.ts";
import { StrataError } from "../errors/error.ts";

export interface LoadedImage {
  readonly manifestDigest: string;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ManifestJson;
  readonly config: ImageConfigJson;
  readonly configDigest: string;
  /** What the name points at: the manifest, or the image index (image-index.ts) the manifest is this platform's child of. */
  readonly top: Descriptor;
  /** The index, when `top` is one. */
  readonly index?: IndexJson;
}

/** Map-valued config fields with their keys sorted, as Go (docker) writes maps: the same config, the same bytes. */
function sortMaps(c: ImageConfigJson["config"]): ImageConfigJson["config"] {
  const sorted = <T>(m: Record<string, T> | undefined) => (m === undefined ? undefined : Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  return { ...c, ExposedPorts: sorted(c.ExposedPorts), Volumes: sorted(c.Volumes), Labels: sorted(c.Labels) };
}

export class ImageNotFoundError extends StrataError {
  constructor(message: string) {
    super("IMAGE_NOT_FOUND", message);
  }
}

/** go-digest's digestset.ErrDigestAmbiguous, which moby's image store returns for a prefix several images share. */
export class AmbiguousImageError extends StrataError {
  constructor(prefix: string) {
    super("IMAGE_NOT_FOUND", `ambiguous digest string: ${prefix} is the start of several image IDs`);
  }
}

/**
 * The local image store: content (the file content store of the root's OCI
 * layout, the ContentStore contract of content.ts), names, and the helpers
 * to read and write images.
 */
export class Store {
  readonly layout: StoreLayout;
  readonly content: FileContentStore;
  readonly refs: RefStore;

  constructor(root: string) {
    this.layout = new StoreLayout(root);
    this.content = new FileContentStore(this.layout);
    this.refs = new RefStore(this.layout);
  }

  /**
   * Creates the layout if needed and reclaims what a dead strata process left
   * behind (mounts, runc containers, scratch dirs, partial blobs, stale locks), saying so.
   */
  async init(): Promise<void> {
    if (this.#ready) return;
    this.#ready = true;
    await this.refs.init();
    const r = await reclaim(this.layout);
    const n = r.dirs + r.containers + r.files + r.locks;
    if (n > 0) process.stderr.write(`strata: reclaimed what an interrupted strata process left: ${r.mounts} mounts, ${r.containers} runc containers, ${r.dirs} scratch dirs, ${r.files} partial files, ${r.locks} stale locks\n`);
  }
  #ready = false;

  /**
   * Finds an image as docker's daemon does: a full 64-hex id (with or without
   * `sha256:`) is an id; anything else is a name first, and then, if no name
   * matches and it is hex, a prefix of an image id or manifest digest of any
   * length (moby's image store Search, go-digest's digestset). A prefix two
   * images share is an error, not the first match.
   */
  async findImage(ref: string, platform?: string): Promise<LoadedImage | undefined> {
    const hex = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(ref)?.[1];
    if (hex === undefined || (hex.length < 64 && !ref.startsWith("sha256:"))) {
      let desc: Descriptor | undefined;
      try {
        desc = await this.refs.resolve(ref);
      } catch {
        desc = undefined;
      }
      if (desc) return this.loadManifest(desc, platform);
    }
    return hex === undefined ? undefined : this.#byIdPrefix(hex, platform);
  }

  /**
   * An image by a prefix of its ID (its config's digest, or the index digest a multi-platform
   * build prints), and only when no ID has it, of a manifest digest: a prefix unique among the
   * IDs `images` lists is unique here, as in moby's image store.
   */
  async #byIdPrefix(hex: string, platform: string | undefined): Promise<LoadedImage | undefined> {
    const byId = new Map<string, LoadedImage>();
    const byManifest = new Map<string, LoadedImage>();
    for (const { descriptor } of await this.refs.list()) {
      const img = await this.loadManifest(descriptor, platform);
      if (img === undefined) continue;
      const ids = [img.configDigest, ...(img.index ? [descriptor.digest] : [])];
      if (ids.some((d) => d.slice(7).startsWith(hex))) byId.set(img.top.digest, img);
      else if ([descriptor.digest, img.manifestDigest].some((d) => d.slice(7).startsWith(hex))) byManifest.set(img.top.digest, img);
    }
    const found = byId.size > 0 ? byId : byManifest;
    if (found.size > 1) throw new AmbiguousImageError(hex);
    return found.values().next().value;
  }

  /** The image `ref` names (of `platform`, when it names an index); a clear error when there is none. */
  async getImage(ref: string, platform?: string): Promise<LoadedImage> {
    const img = await this.findImage(ref, platform);
    if (img) return img;
    const all = platform === undefined ? undefined : await this.findImage(ref);
    if (all) throw new ImageNotFoundError(`image ${ref} was found but does not provide the platform ${platform} (it has ${all.index ? platformManifests(all.index).map(descriptorPlatform).join(", ") : imagePlatform(all.config)}); pull it with strata pull --platform ${platform} ${ref}`);
    throw new ImageNotFoundError(`No such image: ${ref}`);
  }

  /**
   * The image a name's descriptor points at: a manifest, or through an image index its child for
   * `platform` (image-index.ts's pickPlatform); undefined only when `platform` is asked of an index without it.
   */
  async loadManifest(desc: Descriptor, platform?: string): Promise<LoadedImage>;
  async loadManifest(desc: Descriptor, platform: string | undefined): Promise<LoadedImage | undefined>;
  async loadManifest(desc: Descriptor, platform?: string): Promise<LoadedImage | undefined> {
    if (!isIndexType(desc.mediaType)) return this.#loadOne(desc, desc);
    const index = await this.content.readJson<IndexJson>(desc.digest);
    const child = pickPlatform(index, platform);
    if (child === undefined) {
      if (platform === undefined) throw new ImageNotFoundError(`image index ${desc.digest} lists no image manifest with a platform`);
      return undefined;
    }
    return { ...(await this.#loadOne(child, desc)), index };
  }

  async #loadOne(desc: Descriptor, top: Descriptor): Promise<LoadedImage> {
    const manifest = await this.content.readJson<ManifestJson>(desc.digest);
    const config = await this.content.readJson<ImageConfigJson>(manifest.config.digest);
    return { manifestDigest: desc.digest, manifestDescriptor: desc, manifest, config, configDigest: manifest.config.digest, top };
  }

  /** Writes config and manifest blobs for an image whose layer blobs are already stored. */
  async writeImage(config: ImageConfigJson, layers: readonly Descriptor[]): Promise<Descriptor> {
    const cfg = await this.content.putBytes(JSON.stringify({ ...config, config: sortMaps(config.config) }));
    const m = await this.content.putBytes(ociManifest(cfg, layers));
    return { mediaType: MediaType.manifest, digest: m.digest, size: m.size };
  }

  /** Writes an image index over stored manifests (each descriptor with its platform). */
  async writeIndex(children: readonly Descriptor[]): Promise<Descriptor> {
    const i = await this.content.putBytes(ociIndex(children));
    return { mediaType: MediaType.index, digest: i.digest, size: i.size };
  }
}
