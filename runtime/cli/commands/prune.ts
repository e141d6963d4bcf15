import type { Command } from "commander";
import { StrataError } from "../../errors/error.ts";
import { collectGarbage } from "../../store/gc.ts";
import { openStore } from "../context.ts";
import { pruneContainersFiltered } from "../container-prune.ts";
import { collectFilter, type Filters, untilTime } from "../filters.ts";
import { humanSize, pruneSection } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { checkPruneFilters, pruneImages } from "../image-prune.ts";
import { containerUse } from "../in-use.ts";
import { confirm } from "../prompt.ts";

/**
 * `image prune` and `system prune` as docker's CLI runs them (docker/cli cli/command/image/prune.go,
 * cli/command/system/prune.go): without -f the warning and "[y/N]" are printed and one line is
 * read from stdin, terminal or not; anything but y/Y cancels (nothing removed, exit 0, as docker's
 * cancelled prompt). Each part's report is followed by a blank line, then "Total reclaimed space:".
 */
interface PruneOptions {
  all?: boolean;
  force?: boolean;
  volumes?: boolean;
  filter?: Filters;
}

const DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?";
const ALL_WARNING = "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?";

/** docker's system prune confirmation (its confirmationTemplate), with the filters it lists. */
export function systemWarning(o: PruneOptions): string {
  const warnings = ["all stopped containers", "all networks not used by at least one container"];
  if (o.volumes) warnings.push("all anonymous volumes not used by at least one container");
  warnings.push(o.all ? "all images without at least one container associated to them" : "all dangling images");
  warnings.push(o.all ? "all build cache" : "unused build cache");
  const filters = ["label", "label!", "until"].flatMap((k) => (o.filter?.get(k) ?? []).map((v) => `${k}=${v}`)).sort();
  const filterText = filters.length > 0 ? `\n  Items to be pruned will be filtered with:${filters.map((f) => `\n  - ${f}`).join("")}\n` : "";
  return `WARNING! This will remove:${warnings.map((w) => `\n  - ${w}`).join("")}\n${filterText}\nAre you sure you want to continue?`;
}

export function registerPrune(program: Command, system: Command): void {
  imageGroup(program)
    .command("prune")
    .description("Remove dangling images (-a: every image no container uses), then the blobs and layers nothing needs")
    .option("-a, --all", "remove all unused images, not just dangling ones")
    .option("-f, --force", "do not prompt for confirmation")
    .option("--filter <filter>", "until=TIME, label=K[=V], label!=K[=V]; repeatable", collectFilter)
    .action(async (o: PruneOptions, cmd: Command) => {
      const filters: Filters = o.filter ?? new Map();
      checkPruneFilters(filters);
      if (!o.force && !(await confirm(o.all ? ALL_WARNING : DANGLING_WARNING))) return;
      const r = await pruneImages(await openStore(cmd), o.all ?? false, filters);
      process.stdout.write(`${pruneSection("Deleted Images:", r.lines)}Total reclaimed space: ${humanSize(r.bytes, 4)}\n`);
    });
  system
    .command("prune")
    .description("Remove stopped containers, dangling images (-a: unused ones), the build cache and cache mounts")
    .option("-a, --all", "remove all unused images, not just dangling ones")
    .option("-f, --force", "do not prompt for confirmation")
    .option("--volumes", "also anonymous volumes (Strata makes none)")
    .option("--filter <filter>", "until=TIME, label=K[=V], label!=K[=V]; repeatable", collectFilter)
    .action(async (o: PruneOptions, cmd: Command) => {
      const filters: Filters = o.filter ?? new Map();
      if (o.volumes && filters.has("until")) throw new StrataError("FILTER_INVALID", `The "until" filter is not supported with "--volumes"`);
      checkPruneFilters(filters);
      if (!o.force && !(await confirm(systemWarning(o)))) return;
      const store = await openStore(cmd);
      const containers = await pruneContainersFiltered(store, filters);
      const images = await pruneImages(store, o.all ?? false, filters);
      // Build cache records carry no labels: a label filter matches none of them (nor the cache mounts).
      const labelled = filters.has("label") || filters.has("label!");
      const until = (filters.get("until") ?? []).map((v) => untilTime(v));
      const cache = await collectGarbage(store, {
        buildCache: !labelled,
        ...(until.length > 0 && { buildCacheBefore: Math.min(...until) }),
        cacheMounts: !labelled && until.length === 0,
        inUse: (await containerUse(store)).layers,
      });
      process.stdout.write(
        `${pruneSection("Deleted Containers:", containers.ids)}${pruneSection("Deleted Images:", images.lines)}${pruneSection("Deleted build cache objects:", cache.cacheRecordNames)}Total reclaimed space: ${humanSize(containers.bytes + images.bytes + cache.bytes, 4)}\n`,
      );
    });
}
