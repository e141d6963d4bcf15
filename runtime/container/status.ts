import type { Store } from "../store/store.ts";
import { runcState } from "./runc-ops.ts";
import { type ContainerRecord, runcId } from "./state.ts";
import { readExit, startFailure } from "./start.ts";

export type ContainerState = "created" | "running" | "paused" | "exited";

export interface ContainerStatus {
  readonly state: ContainerState;
  /** The container's init pid on the host while it runs. */
  readonly pid?: number;
  readonly exitCode?: number;
  readonly finishedAt?: string;
}

/**
 * The state from runc's own view (`runc state`) and the monitor's exit
 * record: runc knows a live process; once it ends, the monitor's `exit`
 * file says how. A container whose process ended without a record (its
 * monitor was killed) shows exit code -1: unknown.
 */
export async function containerStatus(store: Store, rec: ContainerRecord): Promise<ContainerStatus> {
  const st = await runcState(store.layout.runc, runcId(rec.id));
  if (st !== undefined && (st.status === "running" || st.status === "created")) return { state: "running", pid: st.pid };
  if (st !== undefined && st.status === "paused") return { state: "paused", pid: st.pid };
  const exit = await readExit(store, rec.id);
  if (exit !== undefined) {
    // A process that never started leaves the container created, with docker's 125/126/127 as its code.
    if (exit.code !== 0) {
      const failure = await startFailure(store, rec);
      if (failure !== undefined) return { state: "created", exitCode: failure.exitCode };
    }
    return { state: "exited", exitCode: exit.code, finishedAt: exit.finishedAt };
  }
  if (rec.startedAt === undefined) return { state: "created" };
  return { state: "exited", exitCode: -1 };
}

export function isRunning(s: ContainerStatus): boolean {
  return s.state === "running" || s.state === "paused";
}
