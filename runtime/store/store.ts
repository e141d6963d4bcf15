import type { Descriptor } from "./content-store.ts";
import { FileContentStore } from "./content-store.ts";
import { StoreLayout } from "./layout.ts";
import { type ImageConfigJson, type ManifestJson, MediaType, ociManifest } from "./oci.ts";
import { reclaim } from "./reclaim.ts";
import { RefStore } from "./refs.ts";
import { StrataError } from "../errors/error.ts";

export interface LoadedImage {
  readonly manifestDigest: string;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ManifestJson;
  readonly config: ImageConfigJson;
  readonly configDigest: string;
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
  async findImage(ref: string): Promise<LoadedImage | undefined> {
    const hex = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(ref)?.[1];
    if (hex === undefined || (hex.length < 64 && !ref.startsWith("sha256:"))) {
      let desc: Descriptor | undefined;
      try {
        desc = await this.refs.resolve(ref);
      } catch {
        desc = undefined;
      }
      if (desc) return this.loadManifest(desc);
    }
    return hex === undefined ? undefined : this.#byIdPrefix(hex);
  }

  async #byIdPrefix(hex: string): Promise<LoadedImage | undefined> {
    const found = new Map<string, LoadedImage>();
    for (const { descriptor } of await this.refs.list()) {
      const img = await this.loadManifest(descriptor);
      if (img.configDigest.slice(7).startsWith(hex) || descriptor.digest.slice(7).startsWith(hex)) found.set(img.manifestDigest, img);
    }
    if (found.size > 1) throw new AmbiguousImageError(hex);
    return found.values().next().value;
  }

  async getImage(ref: string): Promise<LoadedImage> {
    const img = await this.findImage(ref);
    if (!img) throw new ImageNotFoundError(`No such image: ${ref}`);
    return img;
  }

  async loadManifest(desc: Descriptor): Promise<LoadedImage> {
    const manifest = await this.content.readJson<ManifestJson>(desc.digest);
    const config = await this.content.readJson<ImageConfigJson>(manifest.config.digest);
    return { manifestDigest: desc.digest, manifestDescriptor: desc, manifest, config, configDigest: manifest.config.digest };
  }

  /** Writes config and manifest blobs for an image whose layer blobs are already stored. */
  async writeImage(config: ImageConfigJson, layers: readonly Descriptor[]): Promise<Descriptor> {
    const cfg = await this.content.putBytes(JSON.stringify({ ...config, config: sortMaps(config.config) }));
    const m = await this.content.putBytes(ociManifest(cfg, layers));
    return { mediaType: MediaType.manifest, digest: m.digest, size: m.size };
  }
}
