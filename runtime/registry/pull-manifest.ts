/**
 * One image manifest of a repository into the store: its config and layers fetched side by side
 * into a pull's staging (a blob the store has is not fetched, nor a layer stored uncompressed
 * when the config is here to say its diffID), checked against each other, committed, and the
 * local manifest written: the registry's own bytes when they are OCI and name exactly what is
 * stored, else the same image in OCI terms. A pull of several platforms calls it once per child
 * with the same staging, so a blob two children share is fetched once.
 */
import { stat } from "node:fs/promises";
import { compressionOfMediaType } from "../image/compression.ts";
import { ociLayer } from "../image/distribution.ts";
import type { Staging } from "../image/staging.ts";
import type { Descriptor } from "../store/content-store.ts";
import { CompressedBlobs } from "../store/compressed.ts";
import type { HeldClaim } from "../store/ingest-claim.ts";
import { type ImageConfigJson, type ManifestJson, MediaType, ociManifest } from "../store/oci.ts";
import { mapLimit } from "../fs/pool.ts";
import { fetchLayer, stageShared } from "./fetch-blob.ts";
import { RegistryError } from "./errors.ts";
import { type Log, mb, short } from "./progress.ts";
import type { Repository } from "./repository.ts";

/** What one pull shares between the manifests it stores. */
export interface PullSession {
  readonly repo: Repository;
  readonly staging: Staging;
  /** Download claims held (fetch-blob.ts), released once the pull has committed or given up. */
  readonly claims: HeldClaim[];
  readonly log: Log;
  /** `host/repository`, recorded as where a compressed layer can be had again (a later push mounts from it). */
  readonly source: string;
}

/**
 * The descriptor the local manifest names for a remote layer: the blob as the
 * registry has it when the store has that or fetches it, or the uncompressed
 * layer when only that is stored (built, loaded or imported here before).
 */
async function localLayer(p: PullSession, l: Descriptor, diffId: string | undefined): Promise<Descriptor> {
  const { staging, log } = p;
  const layer: Descriptor = { mediaType: l.mediaType, digest: l.digest, size: l.size };
  if (await staging.has(l.digest)) {
    log(`${short(l.digest)}: Already exists`);
    return layer;
  }
  if (diffId !== undefined && l.digest !== diffId && (await staging.store.content.has(diffId))) {
    log(`${short(l.digest)}: Already exists`);
    return { mediaType: MediaType.layer, digest: diffId, size: (await stat(staging.store.content.path(diffId))).size };
  }
  const t = performance.now();
  const how = await stageShared(staging, l, p.claims, () => {
    log(`${short(l.digest)}: Pulling fs layer (${mb(l.size)})`);
    return fetchLayer(p.repo, staging, l, undefined, log);
  });
  if (how === "fetched") log(`${short(l.digest)}: Pull complete (${mb(l.size)} in ${((performance.now() - t) / 1000).toFixed(2)}s)`);
  else log(`${short(l.digest)}: Already exists${how === "adopted" ? " (downloaded by another strata process)" : ""}`);
  return layer;
}

/** Stores the image `manifest` (the registry's `bytes` of media type `mediaType`) describes; returns the local manifest and the config. */
export async function storeManifest(p: PullSession, remote: { bytes: Buffer; mediaType: string; manifest: ManifestJson }, label: string): Promise<{ desc: Descriptor; config: ImageConfigJson }> {
  const { staging } = p;
  const { manifest } = remote;
  // A blob named twice in one manifest is fetched once.
  const inFlight = new Map<string, Promise<Descriptor>>();
  const once = (digest: string, f: () => Promise<Descriptor>): Promise<Descriptor> => {
    let pending = inFlight.get(digest);
    if (pending === undefined) {
      pending = f();
      inFlight.set(digest, pending);
    }
    return pending;
  };
  const configHere = await staging.has(manifest.config.digest);
  const configP = (async () => {
    if (!configHere) await stageShared(staging, manifest.config, p.claims, () => fetchLayer(p.repo, staging, manifest.config, undefined, p.log, "config"));
    return staging.readJson<ImageConfigJson>(manifest.config.digest);
  })();
  const known = configHere ? (await configP).rootfs?.diff_ids : undefined;
  const [c, l] = await Promise.allSettled([configP, mapLimit(manifest.layers, 3, (l, i) => once(l.digest, () => localLayer(p, l, known?.[i])))]);
  if (c.status === "rejected") throw c.reason;
  if (l.status === "rejected") throw l.reason;
  const layers = l.value;
  const diffIds = c.value.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) throw new RegistryError("REGISTRY_BAD_IMAGE", `${label}: the manifest has ${manifest.layers.length} layers but the config ${diffIds.length} diffIDs; refused`);
  for (const [i, l] of manifest.layers.entries()) {
    if (compressionOfMediaType(l.mediaType) === null && l.digest !== diffIds[i]) throw new RegistryError("REGISTRY_BAD_IMAGE", `${label}: uncompressed layer ${l.digest} is not the diffID the config says (${diffIds[i]}); refused`);
  }
  const asSent = remote.mediaType === MediaType.manifest && layers.every((l, i) => l.digest === manifest.layers[i]?.digest);
  const m = await staging.putBytes(asSent ? remote.bytes : ociManifest({ digest: manifest.config.digest, size: manifest.config.size }, layers.map(ociLayer)));
  await staging.commit();
  const sources = new CompressedBlobs(staging.store.layout);
  for (const [i, l] of manifest.layers.entries()) {
    const c = compressionOfMediaType(l.mediaType);
    if (c) await sources.addSource(diffIds[i] as string, c, ociLayer(l), p.source);
  }
  return { desc: { mediaType: MediaType.manifest, digest: m.digest, size: m.size }, config: c.value };
}

/** The image manifest in a registry's manifest bytes; schema 1 (and anything else without layers and a config) is refused. */
export function manifestOf(m: { bytes: Buffer; mediaType: string }, label: string): ManifestJson {
  const manifest = JSON.parse(m.bytes.toString("utf8")) as ManifestJson;
  if (!Array.isArray(manifest.layers) || !manifest.config) throw new RegistryError("REGISTRY_UNSUPPORTED", `${label}: unsupported manifest type ${m.mediaType} (schema 1 is not supported)`);
  return manifest;
}
