import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { askMonitor } from "./monitor/sockets.ts";
import { readMonitorState, waitMonitorGone } from "./monitor/state-file.ts";
import { deleteContainerFiles } from "./remove-files.ts";
import { runc, runcKill } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";
import { StartError, launch, waitStarted } from "./start.ts";
import { type ContainerStatus, containerStatus, isRunning } from "./status.ts";
import { unmountAll } from "./unmount.ts";
import { teardownNetwork } from "./network/setup.ts";
import { StrataError } from "../errors/error.ts";

export class ContainerStateError extends StrataError {
  constructor(message: string) {
    super("CONTAINER_STATE", message);
  }
}

/** docker's default grace period of `stop` (seconds). */
export const DEFAULT_STOP_TIMEOUT = 10;

/** Signal names and numbers as docker takes them (`KILL`, `SIGKILL`, `9`), normalized for runc. */
export function normalizeSignal(sig: string): string {
  const s = sig.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    if (Number(s) < 1 || Number(s) > 64) throw new ContainerStateError(`invalid signal: ${sig}`);
    return s;
  }
  const name = s.startsWith("SIG") ? s : `SIG${s}`;
  if (!/^SIG[A-Z0-9+-]+$/.test(name)) throw new ContainerStateError(`invalid signal: ${sig}`);
  return name;
}

/** Waits until the container no longer runs (no process, no restart pending); false on timeout (a negative timeout waits for ever). */
export async function waitExited(store: Store, rec: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const deadline = timeoutMs < 0 ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const s = await containerStatus(store, rec);
    if (!isRunning(s)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** Tells the container's monitor it was stopped by hand, so no restart policy brings it back. */
async function stoppedByHand(store: Store, rec: ContainerRecord): Promise<void> {
  await askMonitor(new ContainerPaths(store.layout.root, rec.id).controlSocket, { op: "stop" });
}

/**
 * `kill`: sends a signal to the container's main process. The container counts as stopped
 * by hand (docker's ExitOnNext): its restart policy does not restart it. A container
 * waiting to restart just stays stopped.
 */
export async function killContainer(store: Store, rec: ContainerRecord, signal = "SIGKILL"): Promise<void> {
  const sig = normalizeSignal(signal);
  const status = await containerStatus(store, rec);
  if (!isRunning(status)) throw new ContainerStateError(`cannot kill container ${rec.name}: it is not running`);
  await stoppedByHand(store, rec);
  if (status.state === "restarting") return;
  const r = await runcKill(store.layout.runc, runcId(rec.id), sig);
  if (!r.ok) throw new ContainerStateError(`cannot kill container ${rec.name}: ${r.message}`);
}

export interface StopOptions {
  /** Seconds before SIGKILL: `stop -t`, else the container's --stop-timeout, else 10; negative waits for ever. */
  readonly timeoutSeconds?: number | undefined;
  /** `stop -s`, else the container's stop signal (--stop-signal, the image's STOPSIGNAL, SIGTERM). */
  readonly signal?: string | undefined;
}

/**
 * `stop`: no restart from then on, the stop signal, then SIGKILL after the grace period.
 * A paused container is resumed first so it can act on it; one waiting to restart just
 * stays stopped.
 */
export async function stopContainer(store: Store, rec: ContainerRecord, o: StopOptions = {}): Promise<void> {
  const status = await containerStatus(store, rec);
  if (!isRunning(status)) return;
  await stoppedByHand(store, rec);
  const rid = runcId(rec.id);
  if (status.state !== "restarting") {
    if (status.state === "paused") await runc(store.layout.runc, ["resume", rid]);
    await runcKill(store.layout.runc, rid, normalizeSignal(o.signal ?? (rec.stopSignal || "SIGTERM")));
    const timeout = o.timeoutSeconds ?? rec.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
    if (await waitExited(store, rec, timeout < 0 ? -1 : timeout * 1000)) return;
    await runcKill(store.layout.runc, rid, "SIGKILL");
  }
  if (!(await waitExited(store, rec, 10_000))) throw new ContainerStateError(`container ${rec.name} did not stop after SIGKILL`);
}

/** `start`: runs a created or exited container again, on the same upper dir; detached. */
export async function startContainer(store: Store, rec: ContainerRecord): Promise<void> {
  if (isRunning(await containerStatus(store, rec))) return;
  const started = await launch(store, rec, false);
  try {
    await waitStarted(store, rec, started);
  } catch (e) {
    if (e instanceof StartError) await unmountAll(new ContainerPaths(store.layout.root, rec.id).dir);
    throw e;
  }
}

/** `restart`: stop (as `stop` does, also a container that is not running), then start. */
export async function restartContainer(store: Store, rec: ContainerRecord, o: StopOptions = {}): Promise<void> {
  await stopContainer(store, rec, o);
  await waitMonitorGone(new ContainerPaths(store.layout.root, rec.id).monitorState, 10_000);
  await startContainer(store, rec);
}

/** `pause`: freezes every process of the container (runc pause: the cgroup freezer). Messages are docker's. */
export async function pauseContainer(store: Store, rec: ContainerRecord): Promise<void> {
  const status = await containerStatus(store, rec);
  if (status.state === "restarting") throw new ContainerStateError(`Container ${rec.id} is restarting, wait until the container is running`);
  if (status.state === "paused") throw new ContainerStateError(`container ${rec.id} is already paused`);
  if (status.state !== "running" || status.pid === undefined) throw new ContainerStateError(`container ${rec.id} is not running`);
  const r = await runc(store.layout.runc, ["pause", runcId(rec.id)]);
  if (r.code !== 0) throw new ContainerStateError(`cannot pause container ${rec.name}: ${r.stderr.trim() || `runc pause exited ${r.code}`}`);
}

/** `unpause`: thaws a paused container (runc resume). */
export async function unpauseContainer(store: Store, rec: ContainerRecord): Promise<void> {
  if ((await containerStatus(store, rec)).state !== "paused") throw new ContainerStateError(`Container ${rec.id} is not paused`);
  const r = await runc(store.layout.runc, ["resume", runcId(rec.id)]);
  if (r.code !== 0) throw new ContainerStateError(`cannot unpause container ${rec.name}: ${r.stderr.trim() || `runc resume exited ${r.code}`}`);
}

/**
 * `wait`: blocks until the container's process next ends and gives its exit code (at
 * once for one that does not run). A restart policy's restart also ends the wait, with
 * the exit code of the run that ended, as docker's.
 */
export async function waitContainer(store: Store, rec: ContainerRecord): Promise<number> {
  const state = new ContainerPaths(store.layout.root, rec.id).monitorState;
  const before = (await readMonitorState(state))?.exits ?? 0;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const s: ContainerStatus = await containerStatus(store, rec);
    if (!isRunning(s)) return s.exitCode ?? 0;
    const ms = await readMonitorState(state);
    if ((ms?.exits ?? 0) > before) return ms?.lastExitCode ?? 0;
    await sleep(delay);
  }
}

/**
 * `rm`: a running container only with `force` (stopped by hand and killed first); once its
 * monitor is done, runc's state, every mount and the container's dirs go, and its name is
 * free again.
 */
export async function removeContainer(store: Store, rec: ContainerRecord, force: boolean): Promise<void> {
  const status = await containerStatus(store, rec);
  const rid = runcId(rec.id);
  if (isRunning(status)) {
    if (!force) throw new ContainerStateError(`cannot remove container ${rec.name}: it is running; stop it first (strata stop ${rec.name}) or use rm -f`);
    await stoppedByHand(store, rec);
    if (status.state === "paused") await runc(store.layout.runc, ["resume", rid]);
    await runcKill(store.layout.runc, rid, "SIGKILL");
    await waitExited(store, rec, 10_000);
  }
  // The monitor's last writes (state, unmount, --rm) come before the files go.
  await waitMonitorGone(new ContainerPaths(store.layout.root, rec.id).monitorState, 10_000);
  // A monitor killed before its network teardown left the stack running.
  await teardownNetwork(new ContainerPaths(store.layout.root, rec.id).dir);
  await deleteContainerFiles(store, rec);
}
