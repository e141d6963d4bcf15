import type { Command } from "commander";
import { defineTwice, reportError } from "../container-command.ts";
import { type ContainerRecord, listContainers } from "../../container/state.ts";
import { type ContainerStatus, containerStatus, isRunning } from "../../container/status.ts";
import { openStore } from "../context.ts";
import { timeAgo } from "../format.ts";
import { CONTAINER_HEADERS, CONTAINER_TABLE } from "../format-fields.ts";
import { formatItems, type OutputFormat, parseOutputFormat } from "../output-format.ts";
import { psItem } from "../ps-format.ts";

interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  trunc: boolean;
  format: OutputFormat;
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
        .option("--format <format>", "table, json (one object per line), table TEMPLATE or a Go template", parseOutputFormat, parseOutputFormat("table"))
        .action(async (opts: PsFlags, cmd: Command) => {
          try {
            const store = await openStore(cmd);
            const now = Date.now();
            const ids: string[] = [];
            const items: object[] = [];
            for (const rec of await listContainers(store)) {
              const s = await containerStatus(store, rec);
              if (!opts.all && !isRunning(s)) continue;
              const id = opts.trunc ? rec.id.slice(0, 12) : rec.id;
              items.push(psItem(rec, s, { id, command: commandText(rec.args, opts.trunc), status: statusText(rec, s, now), now }));
              ids.push(id);
            }
            // docker ps: -q wins over --format, with docker's warning (docker/cli container/list.go).
            if (opts.quiet && cmd.getOptionValueSource("format") === "cli") process.stderr.write("WARNING: Ignoring custom format, because both --format and --quiet are set.\n");
            if (opts.quiet) {
              process.stdout.write(ids.map((id) => `${id}\n`).join(""));
              return;
            }
            process.stdout.write(formatItems(opts.format, items, CONTAINER_HEADERS, CONTAINER_TABLE));
          } catch (e) {
            reportError(e);
          }
        }),
    ["list", "ps"],
  );
}

function since(iso: string | undefined, now: number): string {
  return timeAgo(iso, now).replace(/ ago$/, "");
}

/** docker ps's STATUS (its State.String()): `Up 5 seconds`, `Up 2 minutes (healthy)`, `Up 1 second (Paused)`, `Restarting (1) 2 seconds ago`, `Exited (0) 3 seconds ago`, `Created`. */
export function statusText(rec: ContainerRecord, s: ContainerStatus, now = Date.now()): string {
  const up = `Up ${since(s.startedAt ?? rec.startedAt, now)}`;
  switch (s.state) {
    case "running":
      if (s.starting === true) return "Created";
      return s.health === undefined ? up : `${up} (${s.health.Status === "starting" ? "health: starting" : s.health.Status})`;
    case "paused":
      return `${up} (Paused)`;
    case "restarting":
      return `Restarting (${s.exitCode ?? 0}) ${timeAgo(s.finishedAt, now)}`;
    case "created":
      return "Created";
    case "exited":
      return s.finishedAt ? `Exited (${s.exitCode}) ${timeAgo(s.finishedAt, now)}` : `Exited (${s.exitCode})`;
  }
}
