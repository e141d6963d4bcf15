import { mkdir, readFile } from "node:fs/promises";
import { atomicWrite } from "../fs/atomic-write.ts";
import type { Descriptor } from "./content-store.ts";
import type { StoreLayout } from "./layout.ts";
import { withLock } from "./lock.ts";
import { familiarName, fullName, parseName } from "./names.ts";
import { IMAGE_NAME, type IndexJson, MediaType, REF_NAME } from "./oci.ts";
import { failpoint } from "../fs/failpoint.ts";

/**
 * Image names, kept in the layout's index.json: one manifest descriptor per
 * name, annotated with `org.opencontainers.image.ref.name` = the familiar
 * name (`busybox:latest`) and `io.containerd.image.name` = the full one
 * (`docker.io/library/busybox:latest`). Untagged images that something still
 * needs are kept with no ref annotation. Every update is read, change, write
 * temp, rename, under the store lock.
 */
export class RefStore {
  readonly layout: StoreLayout;
  constructor(layout: StoreLayout) {
    this.layout = layout;
  }

  async init(): Promise<void> {
    await mkdir(this.layout.blobs, { recursive: true });
    await mkdir(this.layout.tmp, { recursive: true });
    try {
      await readFile(this.layout.ociLayout);
    } catch {
      await atomicWrite(this.layout.ociLayout, `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`, this.layout.tmp);
    }
    try {
      await readFile(this.layout.index);
    } catch {
      await atomicWrite(this.layout.index, `${JSON.stringify({ schemaVersion: 2, mediaType: MediaType.index, manifests: [] })}\n`, this.layout.tmp);
    }
  }

  async read(): Promise<IndexJson> {
    try {
      return JSON.parse(await readFile(this.layout.index, "utf8")) as IndexJson;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { schemaVersion: 2, mediaType: MediaType.index, manifests: [] };
      throw e;
    }
  }

  async list(): Promise<{ name: string | undefined; descriptor: Descriptor }[]> {
    const index = await this.read();
    return index.manifests.map((d) => ({ name: d.annotations?.[IMAGE_NAME], descriptor: d }));
  }

  /** The manifest descriptor a name points at, or undefined. */
  async resolve(ref: string): Promise<Descriptor | undefined> {
    const full = fullName(parseName(ref));
    const index = await this.read();
    return index.manifests.find((d) => d.annotations?.[IMAGE_NAME] === full);
  }

  /**
   * Points `ref` (or each of several refs: one write of index.json) at `manifest`, moving it off
   * any image it named before. That image stays, as docker keeps it: with its other names, or
   * else as `<none>:<none>` (an entry without a name), which `images` lists and `image prune`
   * removes; its blobs stay with it.
   */
  async tag(ref: string | readonly string[], manifest: Descriptor): Promise<void> {
    const names = (typeof ref === "string" ? [ref] : ref).map(parseName);
    const current = await this.read();
    // Already so (a rebuild that changed nothing): no write, no lock.
    if (names.every((name) => current.manifests.some((d) => d.annotations?.[IMAGE_NAME] === fullName(name) && d.digest === manifest.digest))) return;
    await this.update((index) => names.reduce((at, name) => pointed(at, name, manifest), index));
  }

  /** Keeps an image with no name (docker's `<none>:<none>`), found by its id; no-op if an entry already points at it. */
  async keepUntagged(manifest: Descriptor): Promise<void> {
    await this.update((index) => {
      if (index.manifests.some((d) => d.digest === manifest.digest)) return index;
      return { ...index, manifests: [...index.manifests, { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size }] };
    });
  }

  /** Removes an image's `<none>` entry (rmi, prune of a dangling image). */
  async dropUntagged(manifestDigest: string): Promise<void> {
    await this.update((index) => ({ ...index, manifests: index.manifests.filter((d) => d.digest !== manifestDigest || d.annotations?.[IMAGE_NAME] !== undefined) }));
  }

  /** Removes a name; returns the descriptor it pointed at. */
  async untag(ref: string): Promise<Descriptor | undefined> {
    const full = fullName(parseName(ref));
    let removed: Descriptor | undefined;
    await this.update((index) => {
      removed = index.manifests.find((d) => d.annotations?.[IMAGE_NAME] === full);
      return { ...index, manifests: index.manifests.filter((d) => d !== removed) };
    });
    return removed;
  }

  /** Removes every entry, named or not, that points at `manifestDigest` (prune deleting an image). */
  async forget(manifestDigest: string): Promise<void> {
    await this.update((index) => ({ ...index, manifests: index.manifests.filter((d) => d.digest !== manifestDigest) }));
  }

  private async update(change: (index: IndexJson) => IndexJson): Promise<void> {
    await withLock(`${this.layout.index}.lock`, async () => {
      // Test-only (fs/failpoint.ts): the blobs are committed, the name not yet written, the lock held.
      failpoint("rename-tag");
      const next = change(await this.read());
      await atomicWrite(this.layout.index, `${JSON.stringify(next, null, 2)}\n`, this.layout.tmp);
    });
  }
}

/** `index` with `name` pointing at `manifest`, the image it named before kept (unnamed if it has no other name). */
function pointed(index: IndexJson, name: ReturnType<typeof parseName>, manifest: Descriptor): IndexJson {
  const full = fullName(name);
  const moved = index.manifests.find((d) => d.annotations?.[IMAGE_NAME] === full && d.digest !== manifest.digest);
  // The name replaces the image's `<none>` entry, if it had one (docker lists a named image once).
  const manifests = index.manifests.filter((d) => d.annotations?.[IMAGE_NAME] !== full && !(d.digest === manifest.digest && d.annotations?.[IMAGE_NAME] === undefined));
  manifests.push({
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    annotations: { [IMAGE_NAME]: full, [REF_NAME]: familiarName(name) },
  });
  if (moved && !manifests.some((d) => d.digest === moved.digest)) manifests.push({ mediaType: moved.mediaType, digest: moved.digest, size: moved.size });
  return { ...index, manifests };
}
