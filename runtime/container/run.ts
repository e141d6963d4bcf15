import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { type CreateOptions, createContainer } from "./create.ts";
import { removeContainer } from "./lifecycle.ts";
import { askMonitor } from "./monitor/sockets.ts";
import { runcKill } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";
import { type MonitorEvent, StartError, launch, readExit, startErrorOf, startFailure, waitStarted } from "./start.ts";
import { StrataError } from "../errors/error.ts";
import { checkHostPorts } from "./network/host-ports.ts";

export { containerArgs } from "./create.ts";

export interface RunOptions extends CreateOptions {
  readonly detach?: boolean;
}

/** What a signal does to a foreground container: forwarded; after a grace period (or a second signal), SIGKILL. */
const KILL_AFTER_MS = 10_000;

/**
 * `strata run -d`: creates and starts the container, returns once its
 * process runs (or has already ended well). Throws StartError when it cannot start.
 */
export async function runDetached(o: RunOptions): Promise<ContainerRecord> {
  await checkHostPorts(o.network); // h19a: a port in use fails before any container exists
  const rec = await createContainer(o);
  try {
    const started = await launch(o.store, rec, false);
    await waitStarted(o.store, rec, started);
    return rec;
  } catch (e) {
    if (o.autoRemove) await removeContainer(o.store, rec, true).catch(() => undefined);
    throw e;
  }
}

/**
 * `strata run` in the foreground: the monitor copies the process's output to this
 * process's stdout and stderr (and gives it this stdin with -i, this terminal with -t);
 * SIGINT, SIGTERM and SIGHUP are forwarded to the process, SIGWINCH resizes its terminal;
 * the result is its exit code, once its first run ended. With `autoRemove` the monitor
 * removes the container when it ends, even if this process was killed meanwhile.
 */
export async function runForeground(o: RunOptions): Promise<number> {
  await checkHostPorts(o.network); // h19a: a port in use fails before any container exists
  const store: Store = o.store;
  let rid = "";
  let signals = 0;
  let first: NodeJS.Signals | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let ended = false;
  // A signal that comes while runc is still creating the container is retried until runc knows it.
  const forward = async (sig: string): Promise<void> => {
    for (let i = 0; i < 100 && !ended; i++) {
      if ((await runcKill(store.layout.runc, rid, sig)).ok) return;
      await sleep(50);
    }
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    first ??= sig;
    if (rid === "") return;
    const hard = signals > 1;
    void forward(hard ? "SIGKILL" : sig);
    if (!hard && killTimer === undefined) {
      killTimer = setTimeout(() => void forward("SIGKILL"), KILL_AFTER_MS);
      killTimer.unref();
    }
  };
  let control = "";
  const onWinch = (): void => {
    if (control !== "") void askMonitor(control, { op: "resize" });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("SIGWINCH", onWinch);
  let rec: ContainerRecord | undefined;
  let last: MonitorEvent | undefined;
  try {
    const created = await createContainer(o);
    rec = created;
    // Interrupted while the container was being created: it never starts.
    if (first !== undefined) return first === "SIGINT" ? 130 : first === "SIGTERM" ? 143 : 129;
    rid = runcId(created.id);
    const started = await launch(store, created, true);
    if (created.tty) control = new ContainerPaths(store.layout.root, created.id).controlSocket;
    for (let ev = await started.next(); ev !== undefined; ev = await started.next()) last = ev;
    ended = true;
    started.release();
    if (last?.event === "exit") {
      if (last.startError !== undefined) throw startErrorOf(created, last.startError);
      return last.exitCode;
    }
    // The monitor went without a word (it was killed): what it recorded is all there is.
    const failure = await startFailure(store, created);
    if (failure !== undefined) throw failure;
    const exit = await readExit(store, created.id);
    if (exit !== undefined) return exit.code;
    throw new StartError(`container ${created.name}: its monitor ended without recording how the process ended (${new ContainerPaths(store.layout.root, created.id).monitorLog} may say why)`, 125);
  } catch (e) {
    // A coded error (no such image, a bad -v) keeps its code; anything else is a start failure.
    if (e instanceof StrataError) throw e;
    throw new StartError((e as Error).message, 125);
  } finally {
    ended = true;
    if (killTimer !== undefined) clearTimeout(killTimer);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    process.removeListener("SIGHUP", onSignal);
    process.removeListener("SIGWINCH", onWinch);
    // The monitor removes an --rm container; this is for one it never took over (or could not remove).
    if (o.autoRemove && rec !== undefined && !(last?.event === "exit" && last.removed)) await removeContainer(store, rec, true).catch(() => undefined);
  }
}
