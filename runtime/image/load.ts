import { createReadStream } from "node:fs";
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
import { limit, LimitError, type LimitName } from "../layer/limits.ts";
import { snapshotterFor } from "../snapshot/select.ts";
import { localManifest } from "./distribution.ts";
import { checkDocument } from "./document.ts";
import { Staging } from "./staging.ts";
import { fromSource, StrataError } from "../errors/error.ts";
import { inContext } from "../errors/system.ts";

/**
 * `strata load`: docker-archive (docker's legacy manifest.json, old or new
 * layout, as docker, podman and skopeo write it) or oci-archive (an OCI
 * layout as a tar), the archive itself optionally gzip- or zstd-compressed.
 *
 * Every file is streamed into a staging area (image/staging.ts) under the
 * digest its bytes hash to, never the name it came with: a
 * `blobs/sha256/<hex>` whose bytes hash otherwise is refused. A compressed
 * layer is decompressed on the way, and the stored (uncompressed) layer must
 * hash to the diffID the image's config lists (a mismatch is
 * LOAD_DIGEST_MISMATCH, exit 3). Paths in manifest.json must be plain names
 * inside the archive; manifest.json and index.json, and every manifest and
 * config, are read only up to their limits (layer/limits.ts, exit 4). Every
 * layer is then unpacked into its snapshot, by the same code and path rules
 * as a build's (layer/apply-layer.ts), so a hostile layer (a tar-slip entry,
 * a bad whiteout, too many entries) is refused at load, not at run, and the
 * work is not done again at run. Only when every image in the archive checks
 * out are its blobs moved into the store and its names set; a refusal
 * removes the snapshots this load made. index.json and every manifest it
 * leads to must be one kind of document, an index or a manifest, never both
 * (document.ts: DOCUMENT_AMBIGUOUS, exit 3).
 */
export class LoadError extends StrataError {
  constructor(message: string) {
    super("LOAD_REFUSED", message);
  }
}

/** Bytes in the archive that do not hash to the digest that names them (exit 3). */
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

/** Small files are kept in memory as they are staged (the JSON documents), up to KEPT_TOTAL in all. */
const KEEP = 1 << 20;
const KEPT_TOTAL = 32 << 20;
const ARCHIVE_JSON = new Set(["manifest.json", "index.json"]);

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
  let kept = 0;
  const { stream } = await decompressed(input, { subject: "archive" });
  const ex = tarExtract();
  const feeding = pipeline(stream, ex);
  feeding.catch(() => undefined);
  for await (const entry of ex) {
    const name = entry.header.name.replace(/^(\.\/)+/, "").replace(/^\/+/, "");
    if (entry.header.type !== "file" && entry.header.type !== "contiguous-file") {
      entry.resume();
      continue;
    }
    const declared = entry.header.size ?? 0;
    if (ARCHIVE_JSON.has(name) && declared > limit("archiveJsonBytes")) throw new LimitError("archiveJsonBytes", `${name} in the archive`, `${declared} bytes`);
    const it = (entry as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const head = await readHead(it);
    const compression = sniffCompression(head);
    const keep: Buffer[] | undefined = compression === null && declared <= KEEP && kept + declared <= KEPT_TOTAL ? [] : undefined;
    if (keep) kept += declared;
    const source = keep
      ? (async function* () {
          for await (const c of withHead(head, it)) {
            keep.push(Buffer.from(c));
            yield c;
          }
        })()
      : withHead(head, it);
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    const label = named ? `blob sha256:${named[1]} in the archive` : `${name} in the archive`;
    const r = await staging.ingest(source, { label, digest: named ? `sha256:${named[1]}` : undefined }, compression).catch((e: Error) => {
      throw named && e.message.includes("hash to") ? new LoadDigestError(`blob ${name} does not match its name (${e.message}); nothing stored`) : e;
    });
    files.set(name, { raw: r.raw, digest: r.digest, size: r.size, bytes: keep ? Buffer.concat(keep) : undefined });
  }
  await feeding;
  return files;
}

/** A JSON document of the archive, in memory: refused past its limit before it is read. */
async function bytesOf(staging: Staging, files: Map<string, Entry>, path: string, what: string, max: LimitName = "documentBytes"): Promise<Buffer> {
  const e = files.get(path);
  if (!e) throw new LoadError(`the archive has no ${path} (${what})`);
  if (e.size > limit(max)) throw new LimitError(max, `${path} in the archive (${what})`, `${e.size} bytes`);
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
  const list = JSON.parse((await bytesOf(staging, files, "manifest.json", "docker's manifest", "archiveJsonBytes")).toString("utf8")) as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
  if (!Array.isArray(list)) throw new LoadError("manifest.json is not a list of images");
  const out: Planned[] = [];
  for (const m of list) {
    if (!Array.isArray(m?.Layers)) throw new LoadError("manifest.json: an image without a Layers list");
    for (const path of [m.Config, ...m.Layers]) plainPath(path);
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

/** A path manifest.json names: a plain relative name inside the archive, or a refusal. */
function plainPath(path: unknown): string {
  if (typeof path !== "string" || path === "" || path.startsWith("/") || path.includes("\0") || path.split("/").some((c) => c === ".." || c === "." || c === "")) {
    throw new LoadError(`manifest.json names ${JSON.stringify(path)}, which is not a plain path inside the archive; refused, nothing stored`);
  }
  return path;
}

/** The archive path of a descriptor's blob; a digest that is not sha256:<64 hex> is refused. */
function blobPath(digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new LoadError(`descriptor digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>; refused`);
  return `blobs/sha256/${digest.slice(7)}`;
}

/** The archive's entry for a descriptor, whose size must be the descriptor's. */
function described(files: Map<string, Entry>, d: Descriptor, what: string): Entry | undefined {
  const e = files.get(blobPath(d.digest));
  if (e && e.raw.size !== d.size) throw new LoadDigestError(`${what} ${d.digest} is ${e.raw.size} bytes in the archive, but its descriptor says ${d.size}; refused, nothing stored`);
  return e;
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
  const index = JSON.parse((await bytesOf(staging, files, "index.json", "the OCI index", "archiveJsonBytes")).toString("utf8")) as IndexJson;
  checkDocument(index, "index.json in the archive");
  if (!Array.isArray(index?.manifests)) throw new LoadError("index.json has no manifests list");
  const out: Planned[] = [];
  const visit = async (d: Descriptor, name: string | undefined): Promise<void> => {
    described(files, d, "manifest");
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
    const cfg = described(files, m.config, "config");
    if (!cfg) throw new LoadError(`config ${m.config.digest} is not in the archive`);
    const config = JSON.parse((await bytesOf(staging, files, blobPath(m.config.digest), "config")).toString("utf8")) as ImageConfigJson;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const label = name ?? d.digest;
    if (diffIds.length !== m.layers.length) throw new LoadError(`image ${label}: ${m.layers.length} layers but the config lists ${diffIds.length} diffIDs; refused`);
    const layers = m.layers.map((l, i) => {
      const e = described(files, l, "layer");
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
    await unpackLayers(store, staging, planned);
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

/**
 * Unpacks every layer of the planned images into its snapshot (see the header); on a refusal,
 * removes the snapshots it made and throws the refusal naming the layer.
 */
async function unpackLayers(store: Store, staging: Staging, planned: readonly Planned[]): Promise<void> {
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
