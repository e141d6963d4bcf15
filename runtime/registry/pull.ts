import { stat } from "node:fs/promises";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { compressionOfMediaType } from "../image/compression.ts";
import { ociLayer } from "../image/distribution.ts";
import { Staging } from "../image/staging.ts";
import type { Descriptor } from "../store/content-store.ts";
import { CompressedBlobs } from "../store/compressed.ts";
import { familiarName, fullName, repoDigestName } from "../store/names.ts";
import { type ImageConfigJson, type IndexJson, type ManifestJson, MediaType, ociManifest } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import type { HeldClaim } from "../store/ingest-claim.ts";
import { mapLimit } from "../fs/pool.ts";
import { RegistryClient } from "./client.ts";
import { fetchLayer, stageShared } from "./fetch-blob.ts";
import { RegistryError } from "./errors.ts";
import { type Log, mb, short, stderrLog } from "./progress.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

export interface PullOptions {
  readonly store: Store;
  readonly ref: string;
  /** os/arch[/variant] to pick from an image index (default: this machine's). */
  readonly platform?: string | undefined;
  readonly insecure?: readonly string[];
  readonly log?: Log;
}

export interface PullResult {
  /** The local name the image was stored under. */
  readonly name: string;
  /** The manifest digest in the registry (what `REF@digest` names; an index's for a multi-platform image). */
  readonly remoteDigest: string;
  /** The local manifest: the registry's own when it is OCI and names only what was fetched. */
  readonly manifest: Descriptor;
  readonly configDigest: string;
}

function isIndex(mt: string): boolean {
  return mt === MediaType.index || mt === MediaType.dockerManifestList;
}

/** Picks the manifest for `platform` from an image index. */
export function selectPlatform(index: IndexJson, platform: string, label: string): Descriptor {
  const [os, arch, variant] = platform.split("/");
  const matches = index.manifests.filter((m) => m.platform?.os === os && m.platform?.architecture === arch && (variant === undefined || m.platform?.variant === variant));
  const pick = matches[0];
  if (!pick) {
    const have = index.manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ""}` : "unknown")).join(", ");
    throw new RegistryError("REGISTRY_NO_PLATFORM", `${label}: no image for ${platform} in the index (it has ${have || "none"}); pick one with --platform`);
  }
  return pick;
}

/**
 * The image manifest `reference` names in `repo`: through an image index,
 * the one for `platform` (default: this machine's). Schema 1 is refused.
 */
export async function imageManifest(repo: Repository, reference: string, platform: string | undefined, label: string): Promise<{ top: Awaited<ReturnType<Repository["getManifest"]>>; manifest: ManifestJson; named: string }> {
  let top = await repo.getManifest(reference);
  // What the reference names: the index, for a multi-platform image (docker's RepoDigest and pull's `Digest:`).
  const named = top.digest;
  if (isIndex(top.mediaType)) {
    const pick = selectPlatform(JSON.parse(top.bytes.toString("utf8")) as IndexJson, platform ?? hostPlatform(process.arch), label);
    top = await repo.getManifest(pick.digest);
  }
  const manifest = JSON.parse(top.bytes.toString("utf8")) as ManifestJson;
  if (!Array.isArray(manifest.layers) || !manifest.config) throw new RegistryError("REGISTRY_UNSUPPORTED", `${label}: unsupported manifest type ${top.mediaType} (schema 1 is not supported)`);
  return { top, manifest, named };
}

export { fetchLayer } from "./fetch-blob.ts";

/**
 * The descriptor the local manifest names for a remote layer: the blob as the
 * registry has it when the store has that or fetches it, or the uncompressed
 * layer when only that is stored (built, loaded or imported here before).
 */
async function localLayer(store: Store, staging: Staging, repo: Repository, l: Descriptor, diffId: string | undefined, claims: HeldClaim[], log: Log): Promise<Descriptor> {
  const layer: Descriptor = { mediaType: l.mediaType, digest: l.digest, size: l.size };
  if (await staging.has(l.digest)) {
    log(`${short(l.digest)}: Already exists`);
    return layer;
  }
  if (diffId !== undefined && l.digest !== diffId && (await store.content.has(diffId))) {
    log(`${short(l.digest)}: Already exists`);
    return { mediaType: MediaType.layer, digest: diffId, size: (await stat(store.content.path(diffId))).size };
  }
  const t = performance.now();
  const how = await stageShared(staging, l, claims, () => {
    log(`${short(l.digest)}: Pulling fs layer (${mb(l.size)})`);
    return fetchLayer(repo, staging, l, undefined, log);
  });
  if (how === "fetched") log(`${short(l.digest)}: Pull complete (${mb(l.size)} in ${((performance.now() - t) / 1000).toFixed(2)}s)`);
  else log(`${short(l.digest)}: Already exists${how === "adopted" ? " (downloaded by another strata process)" : ""}`);
  return layer;
}

/** `strata pull`: an image from a registry into the store, under its familiar name. */
export async function pullImage(o: PullOptions): Promise<PullResult> {
  const { store } = o;
  const log = o.log ?? stderrLog;
  const ref = parseRemote(o.ref);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log });
  const repo = new Repository(client, ref.repository);
  const staging = new Staging(store);
  // Download claims held (fetch-blob.ts), released once this pull has committed or given up.
  const claims: HeldClaim[] = [];
  // A blob named twice in one manifest is fetched once.
  const inFlight = new Map<string, Promise<Descriptor>>();
  const once = (digest: string, f: () => Promise<Descriptor>): Promise<Descriptor> => {
    let p = inFlight.get(digest);
    if (p === undefined) {
      p = f();
      inFlight.set(digest, p);
    }
    return p;
  };
  try {
    const label = familiarName(ref.name);
    const { top, manifest, named: remoteDigest } = await imageManifest(repo, ref.reference, o.platform, label);
    // The config and the layers are fetched side by side. A layer whose blob is stored is not
    // fetched; nor is one stored uncompressed, when the config is here already to say its diffID.
    const configHere = await staging.has(manifest.config.digest);
    const configP = (async () => {
      if (!configHere) await stageShared(staging, manifest.config, claims, () => fetchLayer(repo, staging, manifest.config, undefined, log, "config"));
      return staging.readJson<ImageConfigJson>(manifest.config.digest);
    })();
    const known = configHere ? (await configP).rootfs?.diff_ids : undefined;
    const started = performance.now();
    const [c, l] = await Promise.allSettled([configP, mapLimit(manifest.layers, 3, (l, i) => once(l.digest, () => localLayer(store, staging, repo, l, known?.[i], claims, log)))]);
    if (c.status === "rejected") throw c.reason;
    if (l.status === "rejected") throw l.reason;
    const layers = l.value;
    const diffIds = c.value.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) throw new RegistryError("REGISTRY_BAD_IMAGE", `${label}: the manifest has ${manifest.layers.length} layers but the config ${diffIds.length} diffIDs; refused`);
    for (const [i, l] of manifest.layers.entries()) {
      if (compressionOfMediaType(l.mediaType) === null && l.digest !== diffIds[i]) throw new RegistryError("REGISTRY_BAD_IMAGE", `${label}: uncompressed layer ${l.digest} is not the diffID the config says (${diffIds[i]}); refused`);
    }
    // The registry's manifest as is when it names exactly what is stored; otherwise the same image in OCI terms.
    const asSent = top.mediaType === MediaType.manifest && layers.every((l, i) => l.digest === manifest.layers[i]?.digest);
    const m = await staging.putBytes(asSent ? top.bytes : ociManifest({ digest: manifest.config.digest, size: manifest.config.size }, layers.map(ociLayer)));
    await staging.commit();
    const index = new CompressedBlobs(store.layout);
    for (const [i, l] of manifest.layers.entries()) {
      const c = compressionOfMediaType(l.mediaType);
      if (c) await index.addSource(diffIds[i] as string, c, ociLayer(l), `${ref.host}/${ref.repository}`);
    }
    const desc: Descriptor = { mediaType: MediaType.manifest, digest: m.digest, size: m.size };
    // The name asked for, and the repository digest docker records beside it (RepoDigests: `repo@sha256:…`).
    await store.refs.tag(label, desc);
    const repoDigest = repoDigestName(ref.name, remoteDigest);
    if (repoDigest !== fullName(ref.name)) await store.refs.tag(repoDigest, desc);
    log(`Digest: ${remoteDigest}`);
    log(`Status: Downloaded ${label} in ${((performance.now() - started) / 1000).toFixed(2)}s`);
    return { name: label, remoteDigest, manifest: desc, configDigest: manifest.config.digest };
  } finally {
    await staging.discard();
    for (const c of claims) await c.release();
    await client.close();
  }
}
