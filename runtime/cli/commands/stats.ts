import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuPercent, type StatsSample, sampleStats } from "../../container/stats.ts";
import { type ContainerRecord, findContainer, listContainers } from "../../container/state.ts";
import { containerStatus, isRunning } from "../../container/status.ts";
import type { Store } from "../../store/store.ts";
import { defineTwice, reportError } from "../container-command.ts";
import { openStore } from "../context.ts";
import { STATS_HEADERS, STATS_TABLE } from "../format-fields.ts";
import { formatItems, type OutputFormat, parseOutputFormat } from "../output-format.ts";
import { type StatsRow, statsItem } from "../stats-format.ts";

interface StatsFlags {
  all?: boolean;
  stream: boolean;
  trunc: boolean;
  format?: string;
}

/** The time between the two samples a CPU % is computed from (--no-stream), and between redraws. */
const SAMPLE_MS = 500;
const REDRAW_MS = 1000;

interface Target {
  readonly asked: string;
  readonly rec: ContainerRecord;
}

/** A sample of each target that runs now (undefined for the others). */
async function sampleAll(store: Store, targets: readonly Target[]): Promise<(StatsSample | undefined)[]> {
  return Promise.all(
    targets.map(async (t) => {
      const s = await containerStatus(store, t.rec);
      return isRunning(s) && s.pid !== undefined ? sampleStats(s.pid).catch(() => undefined) : undefined;
    }),
  );
}

function render(targets: readonly Target[], before: readonly (StatsSample | undefined)[], after: readonly (StatsSample | undefined)[], format: OutputFormat, trunc: boolean): string {
  const rows: StatsRow[] = targets.map((t, i) => {
    const [b, a] = [before[i], after[i]];
    return { container: t.asked, id: t.rec.id, name: t.rec.name, cpuPercent: b !== undefined && a !== undefined ? cpuPercent(b, a) : 0, sample: a };
  });
  return formatItems(format, rows.map((r) => statsItem(r, trunc)), STATS_HEADERS, STATS_TABLE);
}

export function registerStats(program: Command): void {
  defineTwice(program, "stats", "stats", (c) =>
    c
      .description("Display a live stream of containers' resource usage (running ones unless -a or named)")
      .argument("[containers...]")
      .option("-a, --all", "show all containers (default shows just running)")
      .option("--no-stream", "print the usage once and stop, instead of a live stream")
      .option("--no-trunc", "do not truncate output")
      .option("--format <format>", "table (the default), json, table TEMPLATE or a Go template")
      .action(async (refs: string[], opts: StatsFlags, cmd: Command) => {
        try {
          const format = parseOutputFormat(opts.format === undefined || opts.format === "table" ? STATS_TABLE : opts.format);
          const store = await openStore(cmd);
          const targets: Target[] = [];
          if (refs.length > 0) for (const ref of refs) targets.push({ asked: ref, rec: await findContainer(store, ref) });
          else {
            for (const rec of await listContainers(store)) {
              if (opts.all || isRunning(await containerStatus(store, rec))) targets.push({ asked: rec.id, rec });
            }
          }
          let before = await sampleAll(store, targets);
          if (!opts.stream) {
            await sleep(SAMPLE_MS);
            process.stdout.write(render(targets, before, await sampleAll(store, targets), format, opts.trunc));
            return;
          }
          for (;;) {
            await sleep(REDRAW_MS);
            const after = await sampleAll(store, targets);
            // A terminal is redrawn in place, as docker's live table; a pipe gets one table per second.
            process.stdout.write(`${process.stdout.isTTY ? "\x1b[2J\x1b[H" : ""}${render(targets, before, after, format, opts.trunc)}`);
            before = after;
          }
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
