import { stat } from "node:fs/promises";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { compressionOfMediaType } from "../image/compression.ts";
import { ociLayer } from "../image/distribution.ts";
import { Staging } from "../image/staging.ts";
import type { Descriptor } from "../store/content-store.ts";
import { CompressedBlobs } from "../store/compressed.ts";
import { familiarName } from "../store/names.ts";
import { type ImageConfigJson, type IndexJson, type ManifestJson, MediaType, ociManifest } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { mapLimit } from "../fs/pool.ts";
import { RegistryClient } from "./client.ts";
import { RegistryError } from "./errors.ts";
import { type Log, mb, short, stderrLog } from "./progress.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";
import { failpoint } from "../fs/failpoint.ts";

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
  /** The manifest digest in the registry (what `REF@digest` names). */
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
export async function imageManifest(repo: Repository, reference: string, platform: string | undefined, label: string): Promise<{ top: Awaited<ReturnType<Repository["getManifest"]>>; manifest: ManifestJson }> {
  let top = await repo.getManifest(reference);
  if (isIndex(top.mediaType)) {
    const pick = selectPlatform(JSON.parse(top.bytes.toString("utf8")) as IndexJson, platform ?? hostPlatform(process.arch), label);
    top = await repo.getManifest(pick.digest);
  }
  const manifest = JSON.parse(top.bytes.toString("utf8")) as ManifestJson;
  if (!Array.isArray(manifest.layers) || !manifest.config) throw new RegistryError("REGISTRY_UNSUPPORTED", `${label}: unsupported manifest type ${top.mediaType} (schema 1 is not supported)`);
  return { top, manifest };
}

/**
 * Fetches one layer blob into `staging`, its bytes checked against the
 * descriptor's digest and size as they arrive. Stored as sent (compressed),
 * unless `diffId` is given: then it is decompressed on the way and stored
 * uncompressed, which must hash to `diffId` (the remote build cache does this,
 * since cache hits name uncompressed layers).
 */
/** The body as is, with the test-only `download` failpoint (fs/failpoint.ts) halfway through it. */
async function* halfway(body: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of body) {
    yield c;
    n += c.length;
    if (n * 2 >= size) failpoint("download");
  }
}

export async function fetchLayer(repo: Repository, staging: Staging, desc: Descriptor, diffId: string | undefined, log: Log): Promise<{ size: number }> {
  const compression = diffId === undefined ? null : (compressionOfMediaType(desc.mediaType) ?? null);
  for (let attempt = 1; ; attempt++) {
    try {
      const body = halfway(await repo.openBlob(desc.digest), desc.size);
      const r = await staging.ingest(body, { digest: desc.digest, size: desc.size, label: `layer ${desc.digest} of ${repo.label}` }, compression, diffId);
      return { size: r.size };
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      const transient = code.startsWith("UND_ERR") || code === "ECONNRESET";
      if (!transient || attempt >= 3) throw e;
      log(`${short(desc.digest)}: download interrupted (${(e as Error).message}); retrying`);
    }
  }
}

/**
 * The descriptor the local manifest names for a remote layer: the blob as the
 * registry has it when the store has that or fetches it, or the uncompressed
 * layer when only that is stored (built, loaded or imported here before).
 */
async function localLayer(store: Store, staging: Staging, repo: Repository, l: Descriptor, diffId: string | undefined, log: Log): Promise<Descriptor> {
  const layer: Descriptor = { mediaType: l.mediaType, digest: l.digest, size: l.size };
  if (await staging.has(l.digest)) {
    log(`${short(l.digest)}: Already exists`);
    return layer;
  }
  if (diffId !== undefined && l.digest !== diffId && (await store.content.has(diffId))) {
    log(`${short(l.digest)}: Already exists`);
    return { mediaType: MediaType.layer, digest: diffId, size: (await stat(store.content.path(diffId))).size };
  }
  log(`${short(l.digest)}: Pulling fs layer (${mb(l.size)})`);
  const t = performance.now();
  await fetchLayer(repo, staging, l, undefined, log);
  log(`${short(l.digest)}: Pull complete (${mb(l.size)} in ${((performance.now() - t) / 1000).toFixed(2)}s)`);
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
  try {
    const label = familiarName(ref.name);
    const { top, manifest } = await imageManifest(repo, ref.reference, o.platform, label);
    const remoteDigest = top.digest;
    // The config and the layers are fetched side by side. A layer whose blob is stored is not
    // fetched; nor is one stored uncompressed, when the config is here already to say its diffID.
    const configHere = await staging.has(manifest.config.digest);
    const configP = (async () => {
      if (!configHere) await staging.ingest(await repo.openBlob(manifest.config.digest), { digest: manifest.config.digest, size: manifest.config.size, label: `config ${manifest.config.digest} of ${repo.label}` }, null);
      return staging.readJson<ImageConfigJson>(manifest.config.digest);
    })();
    const known = configHere ? (await configP).rootfs?.diff_ids : undefined;
    const started = performance.now();
    const [c, l] = await Promise.allSettled([configP, mapLimit(manifest.layers, 3, (l, i) => localLayer(store, staging, repo, l, known?.[i], log))]);
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
    await store.refs.tag(label, desc);
    log(`Digest: ${remoteDigest}`);
    log(`Status: Downloaded ${label} in ${((performance.now() - started) / 1000).toFixed(2)}s`);
    return { name: label, remoteDigest, manifest: desc, configDigest: manifest.config.digest };
  } finally {
    await staging.discard();
    await client.close();
  }
}
