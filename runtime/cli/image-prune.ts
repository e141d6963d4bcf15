import { collectGarbage } from "../store/gc.ts";
import { storedImages } from "../store/image-list.ts";
import { familiarName, parseName } from "../store/names.ts";
import type { Store } from "../store/store.ts";
import { checkFilterNames, type Filters, invalidValue, labelsMatch, untilTime } from "./filters.ts";
import { createdMs } from "./image-select.ts";
import { containerUse } from "./in-use.ts";

/**
 * moby's image prune (daemon ImagesPrune): the dangling images, or with `all` every image no
 * container (running or not) was made from, narrowed by until=TIME (created before it),
 * label=K[=V] and label!=K[=V]. Each name is untagged, the image deleted, then what no image
 * and no build cache record needs is collected; the report is docker's.
 */
export const IMAGE_PRUNE_FILTERS = ["dangling", "until", "label", "label!"] as const;

export interface PruneReport {
  /** docker's "untagged: NAME" / "deleted: ID" lines. */
  readonly lines: readonly string[];
  readonly bytes: number;
}

/** Checks the filters' names and values: before any prompt or work, as docker's daemon does. */
export function checkPruneFilters(filters: Filters): void {
  checkFilterNames(filters, IMAGE_PRUNE_FILTERS);
  for (const v of filters.get("dangling") ?? []) if (!["true", "false", "1", "0"].includes(v.toLowerCase())) throw invalidValue("dangling", filters.get("dangling") ?? []);
  for (const v of filters.get("until") ?? []) untilTime(v);
}

export async function pruneImages(store: Store, all: boolean, filters: Filters): Promise<PruneReport> {
  checkPruneFilters(filters);
  // The CLI adds dangling=!all; a dangling=false given as a filter widens it too (moby's ExactMatch).
  const danglingOnly = !all && !(filters.get("dangling") ?? []).some((v) => v === "false" || v === "0");
  const until = (filters.get("until") ?? []).map((v) => untilTime(v));
  const used = (await containerUse(store)).images;
  const lines: string[] = [];
  for (const image of await storedImages(store)) {
    if (danglingOnly && !image.dangling) continue;
    if (used.has(image.configDigest)) continue;
    if (until.some((t) => !(createdMs(image) < t))) continue;
    if (!labelsMatch(filters, image.config.config?.Labels)) continue;
    await store.refs.forget(image.top.digest);
    for (const n of image.names) lines.push(`untagged: ${familiarName(parseName(n))}`);
    lines.push(`deleted: ${image.configDigest}`);
  }
  const gc = await collectGarbage(store, { buildCache: false, cacheMounts: false, inUse: (await containerUse(store)).layers });
  return { lines, bytes: gc.bytes };
}
