import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract as tarExtract } from "tar-stream";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import type { Descriptor } from "../store/content-store.ts";
import { familiarName, parseName } from "../store/names.ts";
import { IMAGE_NAME, type ImageConfigJson, type IndexJson, type ManifestJson, MediaType, REF_NAME } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { decompressed, readHead, sniffCompression } from "../layer/decompress.ts";
import { localManifest } from "./distribution.ts";
import { checkDocument } from "./document.ts";
import { Staging } from "./staging.ts";
import { StrataError } from "../errors/error.ts";

/**
 * `strata load`: docker-archive (docker's legacy manifest.json, old or new
 * layout, as docker, podman and skopeo write it) or oci-archive (an OCI
 * layout as a tar), the archive itself optionally gzip- or zstd-compressed.
 *
 * Every file is streamed into a staging area (image/staging.ts) under the
 * digest its bytes hash to, never the name it came with: a
 * `blobs/sha256/<hex>` whose bytes hash otherwise is refused. A compressed
 * layer is decompressed on the way, and the stored (uncompressed) layer must
 * hash to the diffID the image's config lists. Only when every image in the
 * archive checks out are its blobs moved into the store and its names set.
 * index.json and every manifest it leads to must be one kind of document, an
 * index or a manifest, never both (document.ts: DOCUMENT_AMBIGUOUS, exit 3).
 */
export class LoadError extends StrataError {
  constructor(message: string) {
    super("LOAD_REFUSED", message);
  }
}

/** An archive's bytes are not what names them (a blob's name, a config's diffID): exit 3. */
export class LoadDigestError extends StrataError {
  constructor(message: string) {
    super("LOAD_DIGEST_MISMATCH", message);
  }
}

interface Entry {
  /** sha256 of the bytes as they are in the archive. */
  readonly raw: { digest: string; size: number };
  /** sha256 of what was stored (the decompressed bytes for a compressed file). */
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer | undefined;
}

export interface LoadedImageInfo {
  readonly names: readonly string[];
  readonly id: string;
}

const SMALL = 4 << 20;

async function* withHead(head: Buffer, it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
}

/** The archive's files, staged; a stream that is not a (compressed) tar is refused as such. */
async function readEntries(input: Readable, staging: Staging): Promise<Map<string, Entry>> {
  try {
    return await stageEntries(input, staging);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    throw new LoadError(`not a readable tar archive (${(e as Error).message}); nothing stored`);
  }
}

async function stageEntries(input: Readable, staging: Staging): Promise<Map<string, Entry>> {
  const files = new Map<string, Entry>();
  const { stream } = await decompressed(input);
  const ex = tarExtract();
  const feeding = pipeline(stream, ex);
  feeding.catch(() => undefined);
  for await (const entry of ex) {
    const name = entry.header.name.replace(/^(\.\/)+/, "").replace(/^\/+/, "");
    if (entry.header.type !== "file" && entry.header.type !== "contiguous-file") {
      entry.resume();
      continue;
    }
    const it = (entry as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const head = await readHead(it);
    const compression = sniffCompression(head);
    const keep: Buffer[] | undefined = compression === null && (entry.header.size ?? 0) <= SMALL ? [] : undefined;
    const source = keep
      ? (async function* () {
          for await (const c of withHead(head, it)) {
            keep.push(Buffer.from(c));
            yield c;
          }
        })()
      : withHead(head, it);
    const label = `${name} in the archive`;
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    const r = await staging.ingest(source, { label, digest: named ? `sha256:${named[1]}` : undefined }, compression).catch((e: Error) => {
      throw named && e.message.includes("hash to") ? new LoadDigestError(`blob ${name} does not match its name (${e.message}); nothing stored`) : e;
    });
    files.set(name, { raw: r.raw, digest: r.digest, size: r.size, bytes: keep ? Buffer.concat(keep) : undefined });
  }
  await feeding;
  return files;
}

async function bytesOf(staging: Staging, files: Map<string, Entry>, path: string, what: string): Promise<Buffer> {
  const e = files.get(path);
  if (!e) throw new LoadError(`the archive has no ${path} (${what})`);
  if (e.bytes) return e.bytes;
  return readFile(staging.path(e.digest));
}

interface Planned {
  readonly names: string[];
  readonly configDigest: string;
  readonly configSize: number;
  readonly layers: { digest: string; size: number }[];
}

async function fromDockerManifest(staging: Staging, files: Map<string, Entry>): Promise<Planned[]> {
  const list = JSON.parse((await bytesOf(staging, files, "manifest.json", "docker's manifest")).toString("utf8")) as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
  const out: Planned[] = [];
  for (const m of list) {
    const cfgEntry = files.get(m.Config);
    if (!cfgEntry) throw new LoadError(`manifest.json names config ${m.Config}, which is not in the archive`);
    const config = JSON.parse((await bytesOf(staging, files, m.Config, "config")).toString("utf8")) as ImageConfigJson;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const label = m.RepoTags?.join(", ") || cfgEntry.raw.digest;
    if (diffIds.length !== m.Layers.length) throw new LoadError(`image ${label}: ${m.Layers.length} layers but the config lists ${diffIds.length} diffIDs; refused`);
    const layers = m.Layers.map((path, i) => {
      const e = files.get(path);
      if (!e) throw new LoadError(`image ${label}: layer ${path} is not in the archive`);
      if (e.digest !== diffIds[i]) throw new LoadDigestError(`image ${label}: layer ${path} hashes to ${e.digest} uncompressed, but the config says diffID ${diffIds[i]}; refused, nothing stored`);
      return { digest: e.digest, size: e.size };
    });
    out.push({ names: (m.RepoTags ?? []).map((t) => familiarName(parseName(t))), configDigest: cfgEntry.raw.digest, configSize: cfgEntry.raw.size, layers });
  }
  return out;
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.replace(/^sha256:/, "")}`;
}

function nameFromAnnotations(a: Record<string, string> | undefined): string | undefined {
  const full = a?.[IMAGE_NAME];
  if (full) return familiarName(parseName(full));
  const ref = a?.[REF_NAME];
  // docker writes only the tag here; a ref with a repository in it is a name.
  if (ref && (ref.includes(":") || ref.includes("/"))) {
    try {
      return familiarName(parseName(ref));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function fromOciIndex(staging: Staging, files: Map<string, Entry>, platform: string): Promise<Planned[]> {
  const index = JSON.parse((await bytesOf(staging, files, "index.json", "the OCI index")).toString("utf8")) as IndexJson;
  checkDocument(index, "index.json in the archive");
  const out: Planned[] = [];
  const visit = async (d: Descriptor, name: string | undefined): Promise<void> => {
    const bytes = await bytesOf(staging, files, blobPath(d.digest), `manifest ${d.digest}`);
    const m = JSON.parse(bytes.toString("utf8")) as ManifestJson & IndexJson;
    // One kind or the other, never both (document.ts).
    checkDocument(m, `manifest ${d.digest} in the archive`);
    if (d.mediaType === MediaType.index || d.mediaType === MediaType.dockerManifestList || (!m.config && Array.isArray(m.manifests))) {
      const [os, arch] = platform.split("/");
      const pick = m.manifests.find((x) => x.platform?.os === os && x.platform?.architecture === arch) ?? (m.manifests.length === 1 ? m.manifests[0] : undefined);
      if (!pick) throw new LoadError(`index ${d.digest} has no image for ${platform}`);
      return visit(pick, name);
    }
    const cfg = files.get(blobPath(m.config.digest));
    if (!cfg) throw new LoadError(`config ${m.config.digest} is not in the archive`);
    const config = JSON.parse((await bytesOf(staging, files, blobPath(m.config.digest), "config")).toString("utf8")) as ImageConfigJson;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const label = name ?? d.digest;
    if (diffIds.length !== m.layers.length) throw new LoadError(`image ${label}: ${m.layers.length} layers but the config lists ${diffIds.length} diffIDs; refused`);
    const layers = m.layers.map((l, i) => {
      const e = files.get(blobPath(l.digest));
      if (!e) throw new LoadError(`image ${label}: layer ${l.digest} is not in the archive`);
      if (e.digest !== diffIds[i]) throw new LoadDigestError(`image ${label}: layer ${l.digest} hashes to ${e.digest} uncompressed, but the config says diffID ${diffIds[i]}; refused, nothing stored`);
      return { digest: e.digest, size: e.size };
    });
    const existing = out.find((p) => p.configDigest === m.config.digest);
    if (existing) {
      if (name && !existing.names.includes(name)) existing.names.push(name);
    } else out.push({ names: name ? [name] : [], configDigest: m.config.digest, configSize: cfg.raw.size, layers });
  };
  for (const d of index.manifests) await visit(d, nameFromAnnotations(d.annotations));
  return out;
}

export async function loadArchive(store: Store, input: Readable, o: { platform?: string } = {}): Promise<LoadedImageInfo[]> {
  const staging = new Staging(store);
  try {
    const files = await readEntries(input, staging);
    for (const [name, e] of files) {
      const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
      if (m && e.raw.digest !== `sha256:${m[1]}`) throw new LoadDigestError(`blob ${name} hashes to ${e.raw.digest}: its bytes do not match its name; refused, nothing stored`);
    }
    let planned: Planned[];
    if (files.has("manifest.json")) planned = await fromDockerManifest(staging, files);
    else if (files.has("index.json")) planned = await fromOciIndex(staging, files, o.platform ?? hostPlatform(process.arch));
    else throw new LoadError("not an image archive: neither manifest.json (docker-archive) nor index.json (oci-archive) in it");
    const keep = new Set<string>();
    for (const p of planned) {
      keep.add(p.configDigest);
      for (const l of p.layers) keep.add(l.digest);
    }
    await staging.commit(keep);
    const out: LoadedImageInfo[] = [];
    for (const p of planned) {
      const m = await store.content.putBytes(localManifest(p.configDigest, p.configSize, p.layers));
      const desc: Descriptor = { mediaType: MediaType.manifest, digest: m.digest, size: m.size };
      for (const n of p.names) await store.refs.tag(n, desc);
      if (p.names.length === 0) await store.refs.keepUntagged(desc);
      out.push({ names: p.names, id: p.configDigest });
    }
    return out;
  } finally {
    await staging.discard();
  }
}
