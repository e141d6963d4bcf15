import { renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ownerAlive } from "../../fs/owner.ts";

/** One health check's result: docker's State.Health.Log entry. */
export interface HealthResult {
  readonly Start: string;
  readonly End: string;
  readonly ExitCode: number;
  readonly Output: string;
}

/** docker's State.Health: the status, the failures in a row, the last 5 results. */
export interface HealthState {
  readonly Status: "starting" | "healthy" | "unhealthy";
  readonly FailingStreak: number;
  readonly Log: readonly HealthResult[];
}

/**
 * `state.json` in the container's dir: what the monitor knows that runc does not, rewritten
 * (temp, rename) at each change. `phase` is `restarting` while a restart policy waits out its
 * backoff (no process then), `exited` once the monitor has given up the container for good
 * (it may still be cleaning up: `owner` says whether it lives).
 */
export interface MonitorState {
  /** The monitor process as an owner ("<pid>.<start time>", fs/owner.ts). */
  readonly owner: string;
  readonly phase: "starting" | "running" | "restarting" | "exited";
  /** Restarts the restart policy made since this monitor started (docker's RestartCount). */
  readonly restartCount: number;
  /** Runs that ended so far, and how the last one did (`wait` counts them: a restart may come and go between two looks). */
  readonly exits?: number;
  readonly lastExitCode?: number;
  /** When the process last started running (docker's StartedAt: each restart moves it). */
  readonly startedAt?: string;
  readonly health?: HealthState;
}

export async function readMonitorState(path: string): Promise<MonitorState | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as MonitorState;
  } catch {
    return undefined;
  }
}

export function writeMonitorState(path: string, s: MonitorState): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(s)}\n`);
  renameSync(tmp, path);
}

/** Whether the monitor that wrote this state still runs. */
export function monitorAlive(s: MonitorState | undefined): boolean {
  return s !== undefined && ownerAlive(s.owner);
}

/** Waits (up to `timeoutMs`) until no monitor runs for the container: before its files are removed or it starts again. */
export async function waitMonitorGone(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; monitorAlive(await readMonitorState(path)); delay = Math.min(delay * 2, 100)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
  return true;
}
