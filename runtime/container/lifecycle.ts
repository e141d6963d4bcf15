import { readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { runc, runcKill } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, releaseName, runcId } from "./state.ts";
import { StartError, launch, waitStarted } from "./start.ts";
import { containerStatus, isRunning } from "./status.ts";
import { unmountAll } from "./unmount.ts";
import { StrataError } from "../errors/error.ts";
import { ownerAlive } from "../fs/owner.ts";

export class ContainerStateError extends StrataError {
  constructor(message: string) {
    super("CONTAINER_STATE", message);
  }
}

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

/** Waits until the container's process has ended (and its monitor recorded it); false on timeout. */
export async function waitExited(store: Store, rec: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const s = await containerStatus(store, rec);
    if (!isRunning(s)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** `kill`: sends a signal to the container's main process. */
export async function killContainer(store: Store, rec: ContainerRecord, signal = "SIGKILL"): Promise<void> {
  const sig = normalizeSignal(signal);
  if (!isRunning(await containerStatus(store, rec))) throw new ContainerStateError(`cannot kill container ${rec.name}: it is not running`);
  const r = await runcKill(store.layout.runc, runcId(rec.id), sig);
  if (!r.ok) throw new ContainerStateError(`cannot kill container ${rec.name}: ${r.message}`);
}

/**
 * `stop`: the image's StopSignal (SIGTERM by default), then SIGKILL after
 * `timeoutSeconds`. A paused container is resumed first so it can act on it.
 */
export async function stopContainer(store: Store, rec: ContainerRecord, timeoutSeconds = 10): Promise<void> {
  const status = await containerStatus(store, rec);
  if (!isRunning(status)) return;
  const rid = runcId(rec.id);
  if (status.state === "paused") await runc(store.layout.runc, ["resume", rid]);
  await runcKill(store.layout.runc, rid, normalizeSignal(rec.stopSignal || "SIGTERM"));
  if (await waitExited(store, rec, timeoutSeconds * 1000)) return;
  await runcKill(store.layout.runc, rid, "SIGKILL");
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

/**
 * Waits until the container's monitor has ended: after the process dies, the
 * monitor still writes `exit` into the container's dir and unmounts the
 * rootfs, and a removal racing those writes failed with ENOTEMPTY and left
 * the dir behind. A monitor that does not end within the time (stuck in an
 * unmount) is left to finish alone; false then.
 */
export async function waitMonitorGone(paths: ContainerPaths, timeoutMs: number): Promise<boolean> {
  const owner = await readFile(paths.monitor, "utf8").catch(() => "");
  if (owner === "") return true;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ownerAlive(owner); delay = Math.min(delay * 2, 100)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
  return true;
}

/**
 * `rm`: a running container only with `force` (killed first); then, once its
 * monitor has ended (waitMonitorGone), runc's state, every mount and the
 * container's dirs go, and its name is free again.
 */
export async function removeContainer(store: Store, rec: ContainerRecord, force: boolean): Promise<void> {
  const status = await containerStatus(store, rec);
  const rid = runcId(rec.id);
  if (isRunning(status)) {
    if (!force) throw new ContainerStateError(`cannot remove container ${rec.name}: it is running; stop it first (strata stop ${rec.name}) or use rm -f`);
    if (status.state === "paused") await runc(store.layout.runc, ["resume", rid]);
    await runcKill(store.layout.runc, rid, "SIGKILL");
    await waitExited(store, rec, 10_000);
  }
  const paths = new ContainerPaths(store.layout.root, rec.id);
  await waitMonitorGone(paths, 10_000);
  await runc(store.layout.runc, ["delete", "--force", rid]);
  await rm(`${store.layout.runc}/${rid}`, { recursive: true, force: true });
  await unmountAll(paths.dir);
  await rm(paths.dir, { recursive: true, force: true });
  await releaseName(store, rec.name);
}
