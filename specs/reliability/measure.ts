/**
 * Runs the strata CLI under GNU time, for the battery's time and memory budgets: the exit code,
 * its output, its peak RSS and its wall time.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/strata.ts";

export interface Measured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly rssBytes: number;
  readonly seconds: number;
}

export function strataMeasured(root: string, args: readonly string[], env: Record<string, string> = {}): Measured {
  const start = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "strata-rss-kb %M", process.execPath, join(repoRoot, "bin/strata.js"), "--root", root, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - start) / 1000;
  const m = /strata-rss-kb (\d+)\s*$/.exec(r.stderr);
  const stderr = m ? r.stderr.slice(0, m.index) : r.stderr;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: stderr.replace(/Command exited with non-zero status \d+\n$/, ""), rssBytes: Number(m?.[1] ?? 0) * 1024, seconds };
}
