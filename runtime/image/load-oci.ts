/**
 * An oci-archive's images (load.ts): index.json's entries, each a manifest or an image index,
 * named by its annotations (io.containerd.image.name, else a ref.name that is a name: docker
 * writes only the tag there). An index's entry loads every platform whose manifest the archive
 * has, as one multi-platform name (the store's index lists only stored children:
 * store/image-index.ts), as `docker load` with the containerd store does; with a platform asked,
 * that platform's image alone (or the index's only image). Every document must be one kind, an
 * index or a manifest (document.ts), every blob the size its descriptor says, and every layer
 * must hash, uncompressed, to the diffID its config lists.
 */
import { hostPlatform } from "../../compiler/lower/platform.ts";
import type { Descriptor } from "../store/content-store.ts";
import { isIndexType, pickPlatform, platformManifests } from "../store/image-index.ts";
import { familiarName, parseName } from "../store/names.ts";
import { IMAGE_NAME, type ImageConfigJson, type IndexJson, type ManifestJson, REF_NAME } from "../store/oci.ts";
import { type ArchiveFiles, blobPath, bytesOf, described } from "./archive-files.ts";
import { checkDocument } from "./document.ts";
import { LoadDigestError, LoadError, type LoadPlan, type PlannedImage, type PlannedIndex } from "./load-plan.ts";
import type { Staging } from "./staging.ts";

type Document = ManifestJson & IndexJson;

export async function fromOciIndex(staging: Staging, files: ArchiveFiles, platform: string | undefined): Promise<LoadPlan> {
  const index = JSON.parse((await bytesOf(staging, files, "index.json", "the OCI index", "archiveJsonBytes")).toString("utf8")) as IndexJson;
  checkDocument(index, "index.json in the archive");
  if (!Array.isArray(index?.manifests)) throw new LoadError("index.json has no manifests list");
  const plan: LoadPlan = { images: [], indexes: [] };
  const indexes = new Map<string, PlannedIndex>();

  const read = async (d: Descriptor): Promise<Document> => {
    described(files, d, "manifest");
    const m = JSON.parse((await bytesOf(staging, files, blobPath(d.digest), `manifest ${d.digest}`)).toString("utf8")) as Document;
    // One kind or the other, never both (document.ts).
    checkDocument(m, `manifest ${d.digest} in the archive`);
    return m;
  };
  const isIndex = (d: Descriptor, m: Document) => isIndexType(d.mediaType) || (!m.config && Array.isArray(m.manifests));

  /** The image a manifest describes, checked against the archive's blobs; one per config, with each name it is given. */
  const image = async (d: Descriptor, m: Document, name: string | undefined): Promise<PlannedImage> => {
    if (!m.config || !Array.isArray(m.layers)) throw new LoadError(`manifest ${d.digest} in the archive is not an image manifest`);
    const known = plan.images.find((p) => p.configDigest === m.config.digest);
    if (known) {
      if (name && !known.names.includes(name)) known.names.push(name);
      return known;
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
    const planned: PlannedImage = { names: name ? [name] : [], configDigest: m.config.digest, configSize: cfg.raw.size, layers };
    plan.images.push(planned);
    return planned;
  };

  /** Every platform of an index whose manifest is in the archive, as one planned index. */
  const allPlatforms = async (d: Descriptor, present: readonly Descriptor[], name: string | undefined): Promise<void> => {
    let planned = indexes.get(d.digest);
    if (!planned) {
      planned = { names: [], children: [] };
      for (const c of present) if (c.platform) planned.children.push({ image: await image(c, await read(c), undefined), platform: c.platform });
      indexes.set(d.digest, planned);
      plan.indexes.push(planned);
    }
    if (name && !planned.names.includes(name)) planned.names.push(name);
  };

  const visit = async (d: Descriptor, name: string | undefined): Promise<void> => {
    const m = await read(d);
    if (!isIndex(d, m)) {
      await image(d, m, name);
      return;
    }
    const present = platform === undefined ? platformManifests(m).filter((c) => files.has(blobPath(c.digest))) : [];
    if (present.length > 0) return allPlatforms(d, present, name);
    const pick = pickPlatform(m, platform) ?? (m.manifests.length === 1 ? m.manifests[0] : undefined);
    if (!pick) throw new LoadError(`index ${d.digest} has no image for ${platform ?? hostPlatform(process.arch)}`);
    return visit(pick, name);
  };
  for (const d of index.manifests) await visit(d, nameFromAnnotations(d.annotations));
  return plan;
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
