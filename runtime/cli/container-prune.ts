/**
 * What `container prune` and `system prune` remove of the containers, by docker's filters:
 * until=TIME (created before it), label=K[=V] and label!=K[=V] (a container's labels are its
 * image's, as Strata's containers carry none of their own).
 */
import { type ContainerPruneReport, pruneContainers } from "../container/prune.ts";
import { storedImages } from "../store/image-list.ts";
import type { Store } from "../store/store.ts";
import { checkFilterNames, type Filters, labelsMatch, untilTime } from "./filters.ts";

export const CONTAINER_PRUNE_FILTERS = ["until", "label", "label!"] as const;

/** Checks the filters' names and values before any prompt or work, as docker does. */
export function checkContainerPruneFilters(filters: Filters): void {
  checkFilterNames(filters, CONTAINER_PRUNE_FILTERS);
  for (const v of filters.get("until") ?? []) untilTime(v);
}

export async function pruneContainersFiltered(store: Store, filters: Filters): Promise<ContainerPruneReport> {
  const until = (filters.get("until") ?? []).map((v) => untilTime(v));
  const labels = new Map((await storedImages(store)).map((i) => [i.configDigest, i.config.config?.Labels]));
  return pruneContainers(store, (rec) => until.every((t) => Date.parse(rec.created) < t) && labelsMatch(filters, labels.get(rec.imageId)));
}
