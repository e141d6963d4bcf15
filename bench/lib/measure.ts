import { spawnSync } from "node:child_process";

export interface Sample {
  readonly seconds: number;
  /** Peak resident memory of the command, in MB (GNU time's %M). */
  readonly peakMb: number;
}

/** Runs a command under /usr/bin/time and returns its wall time and peak RSS; throws on failure. */
export function measure(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Sample {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { encoding: "utf8", env, maxBuffer: 256 << 20 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const lines = r.stderr.trim().split("\n");
  return { seconds, peakMb: Number(lines[lines.length - 1]) / 1024 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function summary(xs: readonly number[]): string {
  return `median ${median(xs).toFixed(3)}s (min ${Math.min(...xs).toFixed(3)}, max ${Math.max(...xs).toFixed(3)})`;
}

/** Runs a command and returns its wall time in seconds, nothing in between (start-up is milliseconds); throws on failure. */
export function wall(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", env, stdio: ["ignore", "ignore", "pipe"] });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  return seconds;
}

/** `summary` in milliseconds. */
export function summaryMs(xs: readonly number[]): string {
  const ms = (s: number) => (s * 1000).toFixed(0);
  return `${ms(median(xs))} ms (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`;
}
