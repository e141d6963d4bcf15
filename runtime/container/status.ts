import type { Store } from "../store/store.ts";
import { type HealthState, monitorAlive, readMonitorState } from "./monitor/state-file.ts";
import { runcState } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";
import { readExit, startFailure } from "./start.ts";

/** docker's State.Status values that Strata's containers take. */
export type ContainerState = "created" | "running" | "paused" | "restarting" | "exited";

export interface ContainerStatus {
  readonly state: ContainerState;
  /** The container's init pid on the host while it runs. */
  readonly pid?: number;
  readonly exitCode?: number;
  readonly finishedAt?: string;
  /** When the process last started (a restart moves it). */
  readonly startedAt?: string;
  /** Restarts its restart policy made (docker's RestartCount). */
  readonly restartCount: number;
  /** The health check's state, for a container that has one. */
  readonly health?: HealthState;
  /**
   * Running as far as stop, rm and wait go, but its command not yet exec'd (runc's "created":
   * its init waits to be let go). docker shows such a container as Created; a kill now is a
   * failed start, not an exit.
   */
  readonly starting?: boolean;
}

/**
 * The state from runc's own view (`runc state`), the monitor's record (state.json: restarting,
 * restart count, health) and its exit record: runc knows a live process; between runs the
 * monitor says whether a restart is pending; once it ends, `exit` says how. While a live
 * monitor has not given the container up, a moment without a process (between its end and
 * the monitor's decision) counts as running. A container whose process ended without a
 * record (its monitor was killed) shows exit code -1: unknown.
 */
export async function containerStatus(store: Store, rec: ContainerRecord): Promise<ContainerStatus> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const [st, ms] = await Promise.all([runcState(store.layout.runc, runcId(rec.id)), readMonitorState(paths.monitorState)]);
  const common = { restartCount: ms?.restartCount ?? 0, startedAt: ms?.startedAt ?? rec.startedAt, ...(ms?.health !== undefined && { health: ms.health }) };
  if (st !== undefined && st.status === "running") return { state: "running", pid: st.pid, ...common };
  if (st !== undefined && st.status === "created") return { state: "running", pid: st.pid, starting: true, ...common };
  if (st !== undefined && st.status === "paused") return { state: "paused", pid: st.pid, ...common };
  const exit = await readExit(store, rec.id);
  const ended = exit === undefined ? {} : { exitCode: exit.code, finishedAt: exit.finishedAt };
  const alive = ms !== undefined && ms.phase !== "exited" && monitorAlive(ms);
  if (alive && ms.phase === "restarting") return { state: "restarting", ...ended, ...common };
  if (alive && ms.phase === "running") return { state: "running", ...common };
  if (exit !== undefined) {
    // A process that never started leaves the container created, with docker's 125/126/127 as its code.
    if (exit.code !== 0) {
      const failure = await startFailure(store, rec);
      if (failure !== undefined) return { state: "created", exitCode: failure.exitCode, ...common };
    }
    return { state: "exited", ...ended, ...common };
  }
  if (alive) return { state: "running", ...(ms.phase === "starting" && { starting: true }), ...common };
  if (rec.startedAt === undefined) return { state: "created", ...common };
  return { state: "exited", exitCode: -1, ...common };
}

/** Running as docker counts it for stop, rm and wait: a process, paused, or a restart pending. */
export function isRunning(s: ContainerStatus): boolean {
  return s.state === "running" || s.state === "paused" || s.state === "restarting";
}
