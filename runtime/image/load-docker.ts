/**
 * A docker-archive's images (load.ts): docker's legacy manifest.json ([{Config, RepoTags,
 * Layers}], old or new layout), one image per entry, named by its RepoTags. Every path it names
 * must be a plain name inside the archive, and every layer must hash, uncompressed, to the diffID
 * the image's config lists. A multi-platform image saved this way is one entry per platform
 * (docker's legacy format has no index), and loads as that many images.
 */
import { familiarName, parseName } from "../store/names.ts";
import type { ImageConfigJson } from "../store/oci.ts";
import { type ArchiveFiles, bytesOf } from "./archive-files.ts";
import { LoadDigestError, LoadError, type PlannedImage } from "./load-plan.ts";
import type { Staging } from "./staging.ts";

export async function fromDockerManifest(staging: Staging, files: ArchiveFiles): Promise<PlannedImage[]> {
  const list = JSON.parse((await bytesOf(staging, files, "manifest.json", "docker's manifest", "archiveJsonBytes")).toString("utf8")) as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
  if (!Array.isArray(list)) throw new LoadError("manifest.json is not a list of images");
  const out: PlannedImage[] = [];
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
