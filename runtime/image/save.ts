import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pack as tarPack } from "tar-stream";
import type { Compression } from "../store/compressed.ts";
import { familiarName, parseName } from "../store/names.ts";
import { IMAGE_NAME, MediaType, REF_NAME } from "../store/oci.ts";
import type { LoadedImage, Store } from "../store/store.ts";
import { verifiedFile } from "../store/verified-read.ts";
import { type DistributionImage, distributionImage } from "./distribution.ts";
import { failpoint } from "../fs/failpoint.ts";

export type ArchiveFormat = "docker-archive" | "oci-archive";

export interface SaveOptions {
  readonly store: Store;
  /** Names or IDs of stored images, or an image already loaded with the names it is saved under (a build's result). */
  readonly images: readonly (string | { readonly image: LoadedImage; readonly names: readonly string[] })[];
  readonly format: ArchiveFormat;
  readonly compression: Compression;
  readonly out: Writable;
}

/**
 * `strata save`: images as one tar, written as a stream (tar-stream; each
 * blob piped from its file, never held in memory).
 *
 * oci-archive: an OCI image layout (oci-layout, index.json, blobs/sha256/…),
 * index.json entries annotated with the familiar name
 * (org.opencontainers.image.ref.name, as in Strata's store) and the full one
 * (io.containerd.image.name).
 *
 * docker-archive: what docker 25+ writes: the same OCI layout (ref.name = the
 * tag, as docker writes it) plus docker's legacy manifest.json
 * ([{Config, RepoTags, Layers}], paths into blobs/sha256) and repositories
 * ({repo: {tag: top layer hex}}), so docker, podman and skopeo load it.
 *
 * Layers are compressed (gzip by default), once each: the compressed blob is
 * kept in the store and reused by the next save or push. Every stored blob is
 * checked against its digest as it is read (store/verified-read.ts): a
 * corrupt one fails the save with STORE_CORRUPT, exit 3.
 */
export async function saveImages(o: SaveOptions): Promise<void> {
  const { store } = o;
  const entries: { img: DistributionImage; names: string[] }[] = [];
  for (const ref of o.images) {
    const img = typeof ref === "string" ? await store.getImage(ref) : ref.image;
    const names = typeof ref === "string" ? await savedNames(store, ref) : ref.names.map((n) => familiarName(parseName(n)));
    const existing = entries.find((e) => e.img.config.digest === img.configDigest);
    if (existing) {
      existing.names.push(...names.filter((n) => !existing.names.includes(n)));
      continue;
    }
    entries.push({ img: await distributionImage(store, img, { compression: o.compression }), names });
  }

  const pack = tarPack();
  const writing = pipeline(pack, o.out);
  writing.catch(() => undefined);
  const put = (name: string, data: Buffer | string) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, data, (e) => (e ? reject(e) : resolve())));
  // Each stored blob is checked against its digest as it goes out: a corrupt one ends the save (exit 3) before its entry is complete.
  const putFile = async (name: string, path: string, digest: string, size: number) => {
    const entry = pack.entry({ name, size, mode: 0o644, mtime: new Date(0) });
    await pipeline(verifiedFile(path, digest), entry);
  };
  const dir = (name: string) => new Promise<void>((resolve, reject) => pack.entry({ name, type: "directory", mode: 0o755, mtime: new Date(0) }, (e) => (e ? reject(e) : resolve())));

  await dir("blobs/");
  await dir("blobs/sha256/");
  const written = new Set<string>();
  const blob = async (digest: string, data: { bytes: Buffer } | { path: string; size: number }) => {
    if (written.has(digest)) return;
    written.add(digest);
    const name = `blobs/sha256/${digest.slice(7)}`;
    if ("bytes" in data) await put(name, data.bytes);
    else await putFile(name, data.path, digest, data.size);
    failpoint("save");
  };
  const docker = o.format === "docker-archive";
  const index: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] = [];
  const legacy: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { img, names } of entries) {
    for (const l of img.layers) await blob(l.digest, { path: store.content.path(l.digest), size: l.size });
    await blob(img.config.digest, { path: store.content.path(img.config.digest), size: img.config.size });
    await blob(img.manifestDescriptor.digest, { bytes: img.manifest });
    const base = { mediaType: MediaType.manifest, digest: img.manifestDescriptor.digest, size: img.manifestDescriptor.size };
    if (names.length === 0) index.push(base);
    for (const n of names) {
      const p = parseName(n);
      index.push({ ...base, annotations: { [IMAGE_NAME]: `${p.domain}/${p.path}:${p.tag ?? "latest"}`, [REF_NAME]: docker ? (p.tag ?? "latest") : n } });
    }
    if (docker) {
      legacy.push({ Config: `blobs/sha256/${img.config.digest.slice(7)}`, RepoTags: names, Layers: img.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) });
      const top = img.layers.at(-1)?.digest.slice(7) ?? img.config.digest.slice(7);
      for (const n of names) {
        const p = parseName(n);
        const repo = n.slice(0, n.length - (p.tag ? p.tag.length + 1 : 0));
        repositories[repo] = { ...(repositories[repo] ?? {}), [p.tag ?? "latest"]: top };
      }
    }
  }
  await put("index.json", JSON.stringify({ schemaVersion: 2, mediaType: MediaType.index, manifests: index }));
  if (docker) {
    await put("manifest.json", JSON.stringify(legacy));
    if (Object.keys(repositories).length > 0) await put("repositories", JSON.stringify(repositories));
  }
  await put("oci-layout", JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  pack.finalize();
  await writing;
}

/** The name a stored image is saved under: none when `ref` is its ID. */
async function savedNames(store: Store, ref: string): Promise<string[]> {
  const isId = /^(sha256:)?[a-f0-9]{6,64}$/.test(ref) && (await store.refs.resolve(ref).catch(() => undefined)) === undefined;
  return isId ? [] : [familiarName(parseName(ref))];
}
