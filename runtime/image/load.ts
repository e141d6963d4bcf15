import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import type { Descriptor } from "../store/content-store.ts";
import { MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { snapshotterFor } from "../snapshot/select.ts";
import { readEntries } from "./archive-files.ts";
import { localManifest } from "./distribution.ts";
import { fromDockerManifest } from "./load-docker.ts";
import { fromOciIndex } from "./load-oci.ts";
import { LoadDigestError, LoadError, type LoadPlan, type PlannedImage } from "./load-plan.ts";
import { Staging } from "./staging.ts";
import { fromSource } from "../errors/error.ts";
import { inContext } from "../errors/system.ts";

export { LoadDigestError, LoadError } from "./load-plan.ts";

export interface LoadedImageInfo {
  readonly names: readonly string[];
  /** The image ID (config digest), or a multi-platform image's index digest. */
  readonly id: string;
}

/**
 * `strata load`: docker-archive (docker's legacy manifest.json, old or new
 * layout, as docker, podman and skopeo write it: load-docker.ts) or
 * oci-archive (an OCI layout as a tar: load-oci.ts, where a multi-platform
 * entry loads every platform the archive has as one image index, unless a
 * platform is asked), the archive itself optionally gzip- or zstd-compressed.
 *
 * Every file is streamed into a staging area (image/staging.ts) under the
 * digest its bytes hash to, never the name it came with: a
 * `blobs/sha256/<hex>` whose bytes hash otherwise is refused
 * (archive-files.ts). A compressed layer is decompressed on the way, and the
 * stored (uncompressed) layer must hash to the diffID the image's config
 * lists (a mismatch is LOAD_DIGEST_MISMATCH, exit 3). Paths in manifest.json
 * must be plain names inside the archive; manifest.json and index.json, and
 * every manifest and config, are read only up to their limits
 * (layer/limits.ts, exit 4). Every layer is then unpacked into its snapshot,
 * by the same code and path rules as a build's (layer/apply-layer.ts), so a
 * hostile layer (a tar-slip entry, a bad whiteout, too many entries) is
 * refused at load, not at run, and the work is not done again at run. Only
 * when every image in the archive checks out are its blobs moved into the
 * store and its names set; a refusal removes the snapshots this load made.
 * index.json and every manifest it leads to must be one kind of document, an
 * index or a manifest, never both (document.ts: DOCUMENT_AMBIGUOUS, exit 3).
 *
 * Each image is stored with its local manifest (distribution.ts's
 * localManifest: the bytes a build writes) and an index with the local
 * manifests (store.writeIndex), so a saved image or index loads back under
 * the digest it had.
 */
export async function loadArchive(store: Store, input: Readable, o: { platform?: string } = {}): Promise<LoadedImageInfo[]> {
  const staging = new Staging(store);
  try {
    const files = await readEntries(input, staging);
    for (const [name, e] of files) {
      const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
      if (m && e.raw.digest !== `sha256:${m[1]}`) throw new LoadDigestError(`blob ${name} hashes to ${e.raw.digest}: its bytes do not match its name; refused, nothing stored`);
    }
    let plan: LoadPlan;
    if (files.has("manifest.json")) plan = { images: await fromDockerManifest(staging, files), indexes: [] };
    else if (files.has("index.json")) plan = await fromOciIndex(staging, files, o.platform);
    else throw new LoadError("not an image archive: neither manifest.json (docker-archive) nor index.json (oci-archive) in it");
    const keep = new Set<string>();
    for (const p of plan.images) {
      keep.add(p.configDigest);
      for (const l of p.layers) keep.add(l.digest);
    }
    await unpackLayers(store, staging, plan.images);
    await staging.commit(keep);
    return await storePlan(store, plan);
  } finally {
    await staging.discard();
  }
}

/** The planned images' manifests and indexes written, and their names set (after the blobs are in the store). */
async function storePlan(store: Store, plan: LoadPlan): Promise<LoadedImageInfo[]> {
  const out: LoadedImageInfo[] = [];
  const manifests = new Map<PlannedImage, Descriptor>();
  const children = new Set(plan.indexes.flatMap((i) => i.children.map((c) => c.image)));
  for (const p of plan.images) {
    const m = await store.content.putBytes(localManifest(p.configDigest, p.configSize, p.layers));
    const desc: Descriptor = { mediaType: MediaType.manifest, digest: m.digest, size: m.size };
    manifests.set(p, desc);
    for (const n of p.names) await store.refs.tag(n, desc);
    if (p.names.length === 0 && children.has(p)) continue;
    if (p.names.length === 0) await store.refs.keepUntagged(desc);
    out.push({ names: p.names, id: p.configDigest });
  }
  for (const i of plan.indexes) {
    const desc = await store.writeIndex(i.children.map((c) => ({ ...(manifests.get(c.image) as Descriptor), platform: c.platform })));
    for (const n of i.names) await store.refs.tag(n, desc);
    if (i.names.length === 0) await store.refs.keepUntagged(desc);
    out.push({ names: i.names, id: desc.digest });
  }
  return out;
}

/**
 * Unpacks every layer of the planned images into its snapshot (see the header); on a refusal,
 * removes the snapshots it made and throws the refusal naming the layer.
 */
async function unpackLayers(store: Store, staging: Staging, planned: readonly PlannedImage[]): Promise<void> {
  const snapshots = await snapshotterFor(store);
  const made: string[] = [];
  try {
    for (const digest of new Set(planned.flatMap((p) => p.layers.map((l) => l.digest)))) {
      if (await snapshots.has(digest)) continue;
      made.push(digest);
      await snapshots.apply(createReadStream(staging.path(digest), { highWaterMark: 1 << 20 }), digest).catch((e: unknown) => {
        throw fromSource(`layer ${digest}`, inContext(e, `unpacking layer ${digest}`));
      });
    }
  } catch (e) {
    for (const d of made) await snapshots.remove(d);
    throw e;
  }
}
