/** One row of `stats` as docker's formatter sees it (its statsContext: fields and their text). */
import type { StatsSample } from "../container/stats.ts";
import { bytesSize, humanSize } from "./format.ts";
import { strictFields } from "./go-template/exec.ts";

export interface StatsRow {
  /** What the row was asked by: the name or ID given, else the ID. */
  readonly container: string;
  readonly id: string;
  readonly name: string;
  readonly cpuPercent: number;
  /** The latest sample; undefined for a container that does not run (all zeros, as docker shows it). */
  readonly sample: StatsSample | undefined;
}

const percent = (v: number): string => `${v.toFixed(2)}%`;

export function statsItem(row: StatsRow, trunc: boolean): object {
  const s = row.sample;
  const mem = s?.memory ?? 0;
  const limit = s?.memoryLimit ?? 0;
  return strictFields(
    {
      Container: row.container,
      Name: row.name,
      ID: trunc ? row.id.slice(0, 12) : row.id,
      CPUPerc: percent(row.cpuPercent),
      MemUsage: `${bytesSize(mem)} / ${bytesSize(limit)}`,
      MemPerc: percent(limit > 0 ? (mem / limit) * 100 : 0),
      NetIO: `${humanSize(s?.netRx ?? 0)} / ${humanSize(s?.netTx ?? 0)}`,
      BlockIO: `${humanSize(s?.blockRead ?? 0)} / ${humanSize(s?.blockWrite ?? 0)}`,
      PIDs: String(s?.pids ?? 0),
    },
    "*container.statsContext",
  );
}
