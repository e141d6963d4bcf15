/**
 * Pushing a multi-platform image: a local name that points at an image index (store/image-index.ts).
 * Each platform's image is pushed in turn by push.ts's pushImageTo under its own digest (a blob
 * two platforms share is uploaded by the first and found by HEAD for the next), then the index is
 * put under the tag: an OCI image index, or with `--format docker` a docker manifest list over
 * docker manifests. The index is rebuilt from the pushed children's descriptors (a layer stored
 * uncompressed is gzipped for the push, so a child's digest in the registry is not the stored
 * one), each with the platform the local index gives it, in the local index's order.
 */
import type { Descriptor } from "../store/content-store.ts";
import { descriptorPlatform, platformManifests } from "../store/image-index.ts";
import { type IndexJson, MediaType } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { short } from "./progress.ts";
import { checkDockerFormat, type PushFormat, pushImageTo } from "./push-image.ts";
import type { Repository } from "./repository.ts";

/** The index (or docker manifest list) bytes over the pushed children. */
function remoteIndex(children: readonly Descriptor[], docker: boolean): { bytes: Buffer; mediaType: string } {
  const mediaType = docker ? MediaType.dockerManifestList : MediaType.index;
  const manifests = children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, ...(c.platform && { platform: c.platform }) }));
  const index: IndexJson = { schemaVersion: 2, mediaType, manifests };
  return { bytes: Buffer.from(JSON.stringify(index)), mediaType };
}

/** Pushes every platform of `index` to `repo` and the index under `reference`; returns the pushed index's descriptor. */
export async function pushIndexTo(store: Store, index: IndexJson, repo: Repository, reference: string, o: PushFormat): Promise<Descriptor> {
  const images: { child: Descriptor; img: LoadedImage }[] = [];
  for (const child of platformManifests(index)) images.push({ child, img: await store.loadManifest(child) });
  // A docker manifest list refused for one platform's zstd layers is refused before any upload.
  for (const { img } of images) checkDockerFormat(img, o);
  const pushed: Descriptor[] = [];
  for (const { child, img } of images) {
    const platform = descriptorPlatform(child);
    o.log(`${platform}: Pushing image ${short(child.digest)}`);
    const d = await pushImageTo(store, img, repo, undefined, o);
    o.log(`${platform}: digest: ${d.digest} size: ${d.size}`);
    pushed.push({ ...d, ...(child.platform && { platform: child.platform }) });
  }
  const { bytes, mediaType } = remoteIndex(pushed, o.docker);
  const digest = await repo.putManifest(reference, bytes, mediaType);
  return { mediaType, digest, size: bytes.length };
}
