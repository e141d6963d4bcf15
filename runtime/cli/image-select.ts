import { familiarName, familiarRepo, parseName } from "../store/names.ts";
import { type StoredImage, storedImages } from "../store/image-list.ts";
import type { Store } from "../store/store.ts";
import { checkFilterNames, danglingFilter, type Filters, labelsMatch, pathMatch, untilTime } from "./filters.ts";

/**
 * Which images `images [REPO[:TAG]] [-f …]` lists, as moby's image list does
 * (daemon/images/images.go): dangling=true|false, label=K[=V], before=/since=IMAGE (created
 * strictly before / after it; the last value counts), until=TIME, reference=PATTERN (any one
 * of them; the image shows only the names that match). The REPO[:TAG] argument is a reference
 * filter, as docker's CLI makes it. The rows are docker's formatter's (imageFormatTaggedAndDigest):
 * one per tag, with the digests of its repository when digests are shown; a repository with
 * digests but no tag one `REPO <none>` row; an image without a name one `<none> <none>` row.
 */
export const IMAGE_LIST_FILTERS = ["dangling", "label", "before", "since", "until", "reference"] as const;

export interface ImageRow {
  readonly image: StoredImage;
  /** The familiar repository, or `<none>`. */
  readonly repository: string;
  /** The tag, or `<none>`. */
  readonly tag: string;
  /** The repository digest (`sha256:…`), `<none>`, or "" (a digest-only row when digests are not shown: docker's). */
  readonly digest: string;
}

/** What the rows show of digests: `digests` is --digests, `needDigest` also a format that names {{.Digest}} (docker's needDigest). */
export interface DigestColumns {
  readonly digests: boolean;
  readonly needDigest: boolean;
}

/** reference.FamiliarMatch: the pattern against `busybox:latest`, then against `busybox`. */
export function referenceMatches(pattern: string, name: string): boolean {
  const n = parseName(name);
  return pathMatch(pattern, familiarName(n)) || pathMatch(pattern, familiarRepo(n));
}

export const createdMs = (image: StoredImage): number => Date.parse(image.config.created ?? "") || 0;

async function createdOfLast(store: Store, values: readonly string[] | undefined): Promise<number | undefined> {
  const last = values?.at(-1);
  if (last === undefined) return undefined;
  const img = await store.getImage(last);
  return Date.parse(img.config.created ?? "") || 0;
}

export async function selectImages(store: Store, filters: Filters, reference: string | undefined, show: DigestColumns): Promise<ImageRow[]> {
  const all: Filters = reference === undefined ? filters : new Map([...filters, ["reference", [...(filters.get("reference") ?? []), reference]]]);
  checkFilterNames(all, IMAGE_LIST_FILTERS);
  const dangling = danglingFilter(all);
  const before = await createdOfLast(store, all.get("before"));
  const since = await createdOfLast(store, all.get("since"));
  const until = all.get("until")?.map((v) => untilTime(v));
  const patterns = all.get("reference");
  const rows: ImageRow[] = [];
  for (const image of await storedImages(store)) {
    const created = createdMs(image);
    // An unnamed copy of a named image is not listed (docker lists images by ID).
    if (image.unnamedCopy) continue;
    // dangling=true: no tag (digest-only images too); dangling=false drops only images with no name at all (moby's images.go).
    if (dangling === true && !image.dangling) continue;
    if (dangling === false && image.names.length === 0) continue;
    if ((before !== undefined && !(created < before)) || (since !== undefined && !(created > since))) continue;
    if (until?.some((t) => !(created < t))) continue;
    if (!labelsMatch(all, image.config.config?.Labels)) continue;
    const names = patterns ? image.names.filter((n) => patterns.some((p) => referenceMatches(p, n))) : image.names;
    if (patterns && names.length === 0) continue;
    rows.push(...rowsOf(image, names, show));
  }
  return rows;
}

/** docker/cli's imageFormatTaggedAndDigest: the rows of one image from its (filtered) names. */
function rowsOf(image: StoredImage, names: readonly string[], show: DigestColumns): ImageRow[] {
  if (names.length === 0) return [{ image, repository: "<none>", tag: "<none>", digest: "<none>" }];
  const tags = new Map<string, string[]>();
  const digests = new Map<string, string[]>();
  for (const full of names) {
    const n = parseName(full);
    const repo = familiarRepo(n);
    if (n.digest !== undefined) digests.set(repo, [...(digests.get(repo) ?? []), n.digest]);
    else if (n.tag !== undefined) tags.set(repo, [...(tags.get(repo) ?? []), n.tag]);
  }
  const rows: ImageRow[] = [];
  for (const [repository, repoTags] of tags) {
    const ds = show.needDigest ? (digests.get(repository) ?? []) : [];
    digests.delete(repository);
    for (const tag of repoTags) {
      if (ds.length === 0) rows.push({ image, repository, tag, digest: "<none>" });
      for (const digest of ds) rows.push({ image, repository, tag, digest });
    }
  }
  for (const [repository, ds] of digests) {
    if (show.digests) for (const digest of ds) rows.push({ image, repository, tag: "<none>", digest });
    else rows.push({ image, repository, tag: "<none>", digest: "" });
  }
  return rows;
}
