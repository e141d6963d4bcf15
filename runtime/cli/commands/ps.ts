import type { Command } from "commander";
import { defineTwice, reportError } from "../../container/cli.ts";
import { listContainers } from "../../container/state.ts";
import { containerStatus, isRunning, statusText } from "../../container/status.ts";
import { openStore } from "../context.ts";
import { table, timeAgo } from "../format.ts";

interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  trunc: boolean;
}

/** docker ps's COMMAND column: the argv quoted and, unless --no-trunc, cut to 20 characters with "…". */
function commandText(args: readonly string[], trunc: boolean): string {
  const text = args.join(" ");
  const cut = trunc && text.length > 20 ? `${text.slice(0, 19)}…` : text;
  return `"${cut}"`;
}

export function registerPs(program: Command): void {
  defineTwice(
    program,
    "ps",
    "ls",
    (c) =>
      c
        .description("List containers (running ones unless -a)")
        .option("-a, --all", "show all containers, also stopped ones")
        .option("-q, --quiet", "only show container IDs")
        .option("--no-trunc", "do not truncate output")
        .action(async (opts: PsFlags, cmd: Command) => {
          try {
            const store = await openStore(cmd);
            const now = Date.now();
            const rows: string[][] = [];
            for (const rec of await listContainers(store)) {
              const s = await containerStatus(store, rec);
              if (!opts.all && !isRunning(s)) continue;
              const id = opts.trunc ? rec.id.slice(0, 12) : rec.id;
              if (opts.quiet) rows.push([id]);
              else rows.push([id, rec.image, commandText(rec.args, opts.trunc), timeAgo(rec.created, now), statusText(rec, s, now), rec.name]);
            }
            if (opts.quiet) {
              process.stdout.write(rows.map((r) => `${r[0]}\n`).join(""));
              return;
            }
            process.stdout.write(`${table([["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"], ...rows])}\n`);
          } catch (e) {
            reportError(e);
          }
        }),
    ["list", "ps"],
  );
}
