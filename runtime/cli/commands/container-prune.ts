import type { Command } from "commander";
import { containerGroup } from "../container-command.ts";
import { checkContainerPruneFilters, pruneContainersFiltered } from "../container-prune.ts";
import { openStore } from "../context.ts";
import { collectFilter, type Filters } from "../filters.ts";
import { humanSize, pruneSection } from "../format.ts";
import { confirm } from "../prompt.ts";

const WARNING = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?";

/**
 * `container prune` as docker's CLI runs it (cli/command/container/prune.go): without -f its
 * warning and "[y/N]", one line read from stdin (anything but y cancels, nothing removed, exit
 * 0, as image prune); then "Deleted Containers:" with each ID, and "Total reclaimed space:".
 */
export function registerContainerPrune(program: Command): void {
  containerGroup(program)
    .command("prune")
    .description("Remove all stopped containers")
    .option("-f, --force", "do not prompt for confirmation")
    .option("--filter <filter>", "until=TIME, label=K[=V], label!=K[=V]; repeatable", collectFilter)
    .action(async (o: { force?: boolean; filter?: Filters }, cmd: Command) => {
      const filters: Filters = o.filter ?? new Map();
      checkContainerPruneFilters(filters);
      if (!o.force && !(await confirm(WARNING))) return;
      const r = await pruneContainersFiltered(await openStore(cmd), filters);
      process.stdout.write(`${pruneSection("Deleted Containers:", r.ids)}Total reclaimed space: ${humanSize(r.bytes, 4)}\n`);
    });
}
