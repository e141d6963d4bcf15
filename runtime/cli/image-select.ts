import { familiarName, familiarRepo, parseName } from "../store/names.ts";
import { type StoredImage, storedImages } from "../store/image-list.ts";
import type { Store } from "../store/store.ts";
import { checkFilterNames, danglingFilter, type Filters, labelsMatch, pathMatch, untilTime } from "./filters.ts";

/**
 * Which images `images [REPO[:TAG]] [-f …]` lists, as moby's image list does
 * (daemon/images/images.go): dangling=true|false, label=K[=V], before=/since=IMAGE (created
 * strictly before / after it; the last value counts), until=TIME, reference=PATTERN (any one
 * of them; the image shows only the names that match). The REPO[:TAG] argument is a reference
 * filter, as docker's CLI makes it. One row per name, or one `<none>` row for an image without.
 */
export const IMAGE_LIST_FILTERS = ["dangling", "label", "before", "since", "until", "reference"] as const;

export interface ImageRow {
  readonly image: StoredImage;
  /** The full name this row shows; undefined for `<none>:<none>`. */
  readonly name: string | undefined;
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

export async function selectImages(store: Store, filters: Filters, reference?: string): Promise<ImageRow[]> {
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
    if (image.names.length === 0 && !image.dangling) continue;
    if (dangling !== undefined && dangling !== image.dangling) continue;
    if ((before !== undefined && !(created < before)) || (since !== undefined && !(created > since))) continue;
    if (until?.some((t) => !(created < t))) continue;
    if (!labelsMatch(all, image.config.config?.Labels)) continue;
    const names = patterns ? image.names.filter((n) => patterns.some((p) => referenceMatches(p, n))) : image.names;
    if (patterns && names.length === 0) continue;
    if (names.length === 0) rows.push({ image, name: undefined });
    for (const name of names) rows.push({ image, name });
  }
  return rows;
}
