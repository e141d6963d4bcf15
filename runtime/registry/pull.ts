/**
 * `strata pull`: an image from a registry into the store, under its familiar name and the
 * repository digest docker records beside it (RepoDigests). Through a remote image index, the
 * child of the asked platform (default: this machine's) is stored (pull-manifest.ts); with
 * `allPlatforms` every platform child and a local index over them, and with a platform asked of
 * a name the store has for other platforms, a local index of them all (pull-index.ts).
 */
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { Staging } from "../image/staging.ts";
import type { Descriptor } from "../store/content-store.ts";
import { isIndexType } from "../store/image-index.ts";
import { familiarName, fullName, repoDigestName } from "../store/names.ts";
import type { IndexJson, ManifestJson } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { RegistryClient } from "./client.ts";
import { RegistryError } from "./errors.ts";
import { type Log, stderrLog } from "./progress.ts";
import { absorbed, childPlatform, keepOtherPlatforms, namedBefore, pullAllPlatforms } from "./pull-index.ts";
import { manifestOf, type PullSession, storeManifest } from "./pull-manifest.ts";
import { parseRemote } from "./reference.ts";
import { Repository } from "./repository.ts";

export { fetchLayer } from "./fetch-blob.ts";

export interface PullOptions {
  readonly store: Store;
  readonly ref: string;
  /** os/arch[/variant] to pick from an image index (default: this machine's). */
  readonly platform?: string | undefined;
  /** Every platform of an image index, named by a local index (docker's --all-platforms). */
  readonly allPlatforms?: boolean;
  readonly insecure?: readonly string[];
  readonly log?: Log;
}

export interface PullResult {
  /** The local name the image was stored under. */
  readonly name: string;
  /** The manifest digest in the registry (what `REF@digest` names; an index's for a multi-platform image). */
  readonly remoteDigest: string;
  /** What the name now points at: the local manifest (the registry's own when it is OCI and names only what was fetched), or a local index. */
  readonly target: Descriptor;
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
 * the one for `platform` (default: this machine's), with the index's descriptor of it. Schema 1 is refused.
 */
export async function imageManifest(
  repo: Repository,
  reference: string,
  platform: string | undefined,
  label: string,
): Promise<{ top: Awaited<ReturnType<Repository["getManifest"]>>; manifest: ManifestJson; named: string; picked?: Descriptor }> {
  let top = await repo.getManifest(reference);
  // What the reference names: the index, for a multi-platform image (docker's RepoDigest and pull's `Digest:`).
  const named = top.digest;
  let picked: Descriptor | undefined;
  if (isIndexType(top.mediaType)) {
    picked = selectPlatform(JSON.parse(top.bytes.toString("utf8")) as IndexJson, platform ?? hostPlatform(process.arch), label);
    top = await repo.getManifest(picked.digest);
  }
  return { top, manifest: manifestOf(top, label), named, ...(picked && { picked }) };
}

/** What the pull stores and the descriptor the name is to point at. */
async function pullTarget(o: PullOptions, p: PullSession, reference: string, label: string, had: LoadedImage | undefined): Promise<{ target: Descriptor; remoteDigest: string }> {
  if (o.allPlatforms) {
    const top = await p.repo.getManifest(reference);
    if (isIndexType(top.mediaType)) return { target: await pullAllPlatforms(p, o.store, JSON.parse(top.bytes.toString("utf8")) as IndexJson, label), remoteDigest: top.digest };
  }
  const { top, manifest, named, picked } = await imageManifest(p.repo, reference, o.platform, label);
  const r = await storeManifest(p, { ...top, manifest }, label);
  if (o.platform === undefined) return { target: r.desc, remoteDigest: named };
  return { target: await keepOtherPlatforms(o.store, had, { ...r.desc, platform: childPlatform(picked?.platform, r.config) }), remoteDigest: named };
}

export async function pullImage(o: PullOptions): Promise<PullResult> {
  const { store } = o;
  const log = o.log ?? stderrLog;
  const ref = parseRemote(o.ref);
  const client = new RegistryClient(ref.host, { insecure: o.insecure ?? [], log });
  const p: PullSession = { repo: new Repository(client, ref.repository), staging: new Staging(store), claims: [], log, source: `${ref.host}/${ref.repository}` };
  try {
    const label = familiarName(ref.name);
    const started = performance.now();
    const had = await namedBefore(store, label);
    const { target, remoteDigest } = await pullTarget(o, p, ref.reference, label, had);
    // The name asked for, and the repository digest docker records beside it (RepoDigests: `repo@sha256:…`).
    const repoDigest = repoDigestName(ref.name, remoteDigest);
    await store.refs.tag(repoDigest !== fullName(ref.name) ? [label, repoDigest] : [label], target);
    for (const d of await absorbed(store, target, had)) await store.refs.dropUntagged(d);
    log(`Digest: ${remoteDigest}`);
    log(`Status: Downloaded ${label} in ${((performance.now() - started) / 1000).toFixed(2)}s`);
    return { name: label, remoteDigest, target };
  } finally {
    await p.staging.discard();
    for (const c of p.claims) await c.release();
    await client.close();
  }
}
