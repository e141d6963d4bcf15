/**
 * The version-2 cache in a registry (format: cache-format.ts): a record looked up by its key (a
 * GET of its tag's manifest, a GET of its config blob, both verified), a record written as its
 * own tag, REF's constant manifest, and every record listed through tags/list (paged).
 */
import { Staging } from "../image/staging.ts";
import { compressionOfMediaType } from "../image/compression.ts";
import { CompressedBlobs } from "../store/compressed.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { Store } from "../store/store.ts";
import { MediaType } from "../store/oci.ts";
import { type CacheSource, type RemoteCacheRecord, recordArtifact, recordConfigOf, recordTag, rootManifest, verifiedRecord } from "./cache-format.ts";
import { readSmallBlob } from "./cache-inline.ts";
import type { RegistryError } from "./errors.ts";
import { fetchLayer } from "./fetch-blob.ts";
import { pushBytes } from "./push-image.ts";
import type { Repository } from "./repository.ts";

/** A record's layer from `repo` into the store, checked against its digest before it is committed. */
export async function fetchRecordLayer(repo: Repository, rec: Parameters<CacheSource["fetch"]>[0], store: Parameters<CacheSource["fetch"]>[1], log: Parameters<CacheSource["fetch"]>[2]): Promise<void> {
  const staging = new Staging(store);
  try {
    const desc = { mediaType: rec.mediaType, digest: rec.digest, size: rec.compressedSize };
    await fetchLayer(repo, staging, desc, rec.diffId, log);
    await staging.commit();
    await rememberCacheSource(store, repo, rec.diffId, desc);
  } finally {
    await staging.discard();
  }
}

/**
 * Notes that the cache's repository holds `diffId`'s compressed blob, so that pushing an image
 * with that layer to another repository of the registry mounts it from there instead of
 * compressing and uploading it again (push-image.ts). Best effort: a lost note costs an upload.
 */
export async function rememberCacheSource(store: Store, repo: Repository, diffId: string, desc: Descriptor): Promise<void> {
  const c = compressionOfMediaType(desc.mediaType);
  if (c) await new CompressedBlobs(store.layout).addSource(diffId, c, desc, `${repo.client.host}/${repo.name}`).catch(() => undefined);
}

/** The version-2 cache at `repo:refTag` as a source of records. */
export function recordSource(repo: Repository, refTag: string): CacheSource {
  return {
    label: `${repo.label}:${refTag}`,
    lookup: (key) => lookupRecord(repo, refTag, key),
    fetch: (rec, store, log) => fetchRecordLayer(repo, rec, store, log),
    close: () => repo.client.close(),
  };
}

/** `key`'s verified record, or undefined when its tag does not exist. */
export async function lookupRecord(repo: Repository, refTag: string, key: string): Promise<RemoteCacheRecord | undefined> {
  const tag = recordTag(refTag, key);
  let m: { bytes: Buffer };
  try {
    m = await repo.getManifest(tag);
  } catch (e) {
    if ((e as RegistryError).status === 404) return undefined;
    throw e;
  }
  const label = `${repo.label}:${tag}`;
  const config = recordConfigOf(m.bytes, label);
  // readSmallBlob checks the digest too; verifiedRecord says so in the record's own words.
  const bytes = await readSmallBlob(repo, config, label).catch((e: RegistryError) => {
    throw e.code === "REGISTRY_DIGEST_MISMATCH" ? Object.assign(e, { message: `${label}: record blob ${config.digest} does not match its digest` }) : e;
  });
  return verifiedRecord(bytes, config.digest, key, label);
}

/** Whether `key`'s record tag exists already (HEAD of its manifest). */
export async function hasRecord(repo: Repository, refTag: string, key: string): Promise<boolean> {
  const tag = recordTag(refTag, key);
  const r = await repo.client.request("HEAD", `/v2/${repo.name}/manifests/${tag}`, { headers: { accept: MediaType.manifest }, scopes: [repo.scope(true)], ok: [200, 404] });
  await r.body.dump();
  return r.status === 200;
}

/**
 * Writes `key`'s record (its layer already in the repository) unless its tag is there: false then.
 * `checked`: the caller HEADed it just now. A registry with immutable tags refuses the write of a tag another builder made first; that too is "there".
 */
export async function putRecord(repo: Repository, refTag: string, key: string, r: RemoteCacheRecord, o: { checked?: boolean } = {}): Promise<boolean> {
  const tag = recordTag(refTag, key);
  if (o.checked !== true && (await hasRecord(repo, refTag, key))) return false;
  const a = recordArtifact(key, r);
  const digest = await pushBytes(repo, a.config);
  try {
    await repo.putManifest(tag, a.manifest(digest), MediaType.manifest);
  } catch (e) {
    if ((e as RegistryError).status === 409 || /TAG_INVALID|immutable/i.test((e as Error).message)) return false;
    throw e;
  }
  return true;
}

/** REF's version-2 manifest (the same bytes from every builder). */
export async function putRoot(repo: Repository, refTag: string): Promise<string> {
  const root = rootManifest();
  return repo.putManifest(refTag, root.manifest(await pushBytes(repo, root.config)), MediaType.manifest);
}

/** Every record of the cache at `repo:refTag`, by key: tags/list (paged), then each record read and verified. */
export async function listRecords(repo: Repository, refTag: string): Promise<Map<string, RemoteCacheRecord>> {
  const probe = recordTag(refTag, `sha256:${"0".repeat(64)}`);
  const prefix = probe.slice(0, probe.length - 64);
  const tags: string[] = [];
  let next: string | undefined = `/v2/${repo.name}/tags/list?n=1000`;
  while (next !== undefined) {
    const r = await repo.client.request("GET", next, { scopes: [repo.scope(false)] });
    const page = (await r.body.json()) as { tags?: string[] | null };
    tags.push(...(page.tags ?? []));
    const link = ([r.headers.link].flat()[0] ?? "") as string;
    const m = /<([^>]+)>;\s*rel="?next"?/.exec(link);
    next = m?.[1];
  }
  const out = new Map<string, RemoteCacheRecord>();
  for (const tag of tags) {
    if (!tag.startsWith(prefix) || !/^[a-f0-9]{64}$/.test(tag.slice(prefix.length))) continue;
    const key = `sha256:${tag.slice(prefix.length)}`;
    const r = await lookupRecord(repo, refTag, key);
    if (r) out.set(key, r);
  }
  return out;
}
