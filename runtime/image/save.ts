import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pack as tarPack } from "tar-stream";
import type { Compression } from "../store/compressed.ts";
import { parseName } from "../store/names.ts";
import { IMAGE_NAME, MediaType, REF_NAME } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { verifiedFile } from "../store/verified-read.ts";
import type { DistributionImage } from "./distribution.ts";
import { type SaveSource, saveEntries } from "./save-entries.ts";
import { failpoint } from "../fs/failpoint.ts";

export type ArchiveFormat = "docker-archive" | "oci-archive";

export interface SaveOptions {
  readonly store: Store;
  /** Names or IDs of stored images, or an image already loaded with the names it is saved under (a build's result). */
  readonly images: readonly SaveSource[];
  readonly format: ArchiveFormat;
  readonly compression: Compression;
  /** Of a multi-platform name, only this platform's image (a one-image entry). */
  readonly platform?: string | undefined;
  readonly out: Writable;
}

/**
 * `strata save`: images as one tar, written as a stream (tar-stream; each
 * blob piped from its file, never held in memory).
 *
 * oci-archive: an OCI image layout (oci-layout, index.json, blobs/sha256/…),
 * index.json entries annotated with the familiar name
 * (org.opencontainers.image.ref.name, as in Strata's store) and the full one
 * (io.containerd.image.name). A multi-platform name's entry is its image
 * index, with every platform's image in the blobs (save-entries.ts).
 *
 * docker-archive: what docker 25+ writes: the same OCI layout (ref.name = the
 * tag, as docker writes it) plus docker's legacy manifest.json
 * ([{Config, RepoTags, Layers}], paths into blobs/sha256) and repositories
 * ({repo: {tag: top layer hex}}), so docker, podman and skopeo load it.
 * manifest.json has no index: a multi-platform name is one entry per
 * platform, its names on this machine's platform's entry (else the first's),
 * so a legacy load gives the name one image.
 *
 * Layers are compressed (gzip by default), once each: the compressed blob is
 * kept in the store and reused by the next save or push. Every stored blob is
 * checked against its digest as it is read (store/verified-read.ts): a
 * corrupt one fails the save with STORE_CORRUPT, exit 3.
 */
export async function saveImages(o: SaveOptions): Promise<void> {
  const { store } = o;
  const entries = await saveEntries(store, o.images, { compression: o.compression, platform: o.platform });

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
  for (const { images, index: platforms, primary, names } of entries) {
    for (const img of images) {
      for (const l of img.layers) await blob(l.digest, { path: store.content.path(l.digest), size: l.size });
      await blob(img.config.digest, { path: store.content.path(img.config.digest), size: img.config.size });
      await blob(img.manifestDescriptor.digest, { bytes: img.manifest });
    }
    if (platforms) await blob(platforms.descriptor.digest, { bytes: platforms.bytes });
    const top = platforms?.descriptor ?? (images[0] as DistributionImage).manifestDescriptor;
    const base = { mediaType: top.mediaType, digest: top.digest, size: top.size };
    if (names.length === 0) index.push(base);
    for (const n of names) {
      const p = parseName(n);
      index.push({ ...base, annotations: { [IMAGE_NAME]: `${p.domain}/${p.path}:${p.tag ?? "latest"}`, [REF_NAME]: docker ? (p.tag ?? "latest") : n } });
    }
    if (!docker) continue;
    for (const [i, img] of images.entries()) {
      legacy.push({ Config: `blobs/sha256/${img.config.digest.slice(7)}`, RepoTags: i === primary ? names : [], Layers: img.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) });
    }
    const named = images[primary] as DistributionImage;
    const topLayer = named.layers.at(-1)?.digest.slice(7) ?? named.config.digest.slice(7);
    for (const n of names) {
      const p = parseName(n);
      const repo = n.slice(0, n.length - (p.tag ? p.tag.length + 1 : 0));
      repositories[repo] = { ...(repositories[repo] ?? {}), [p.tag ?? "latest"]: topLayer };
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
