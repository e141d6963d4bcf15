import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { envLookup } from "../../compiler/ir/env.ts";
import { runtimeSpec } from "../runc/spec.ts";
import { resolveUser } from "../runc/user.ts";
import { mount } from "../fs/mount.ts";
import { containerSnapshotter } from "./snapshotter.ts";
import type { Store } from "../store/store.ts";
import { monitorCommand } from "./monitor/command.ts";
import { waitMonitorGone } from "./monitor/state-file.ts";
import { explainStartError, runc, startErrorIn, startFailureCode } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId, saveRecord } from "./state.ts";
import { mountsUnder } from "./unmount.ts";
import { StrataError } from "../errors/error.ts";
import { unpackLayers } from "../registry/refetch.ts";
import { networkTarget } from "./container-network.ts";
import { type NetworkSetup, setupNetwork, teardownNetwork } from "./network/setup.ts";
import { byDepth, hostSpec } from "./host-spec.ts";

/**
 * Starting a container's process: the rootfs mounted, the runc bundle written, then the
 * monitor (monitor/main.ts) started in a session of its own, which runs the process and
 * owns the container from then on: it restarts it, logs it, checks its health, and
 * unmounts (and, with --rm, removes) it when it ends for good, whether or not a strata
 * process is still around. The monitor reports on a pipe (its descriptor 3): once the
 * process runs, and when it first ends.
 */

/** The container did not start: docker's 125 (setup), 126 (its command cannot be executed) or 127 (not found). */
export class StartError extends StrataError {
  constructor(message: string, exitCode: 125 | 126 | 127) {
    super(exitCode === 127 ? "START_NOT_FOUND" : exitCode === 126 ? "START_NOT_EXECUTABLE" : "START_FAILED", message);
  }
  /** docker's exit code for it. */
  get exitCode(): number {
    return this.exit;
  }
}

export async function isMounted(path: string): Promise<boolean> {
  return (await mountsUnder(path)).includes(path);
}

/** Mounts the container's rootfs (init layer over the image's layers, by the store's snapshotter: snapshot/select.ts) on merged/ (when it is not mounted yet). */
export async function mountRootfs(store: Store, rec: ContainerRecord, paths: ContainerPaths): Promise<void> {
  if (await isMounted(paths.merged)) return;
  const snapshots = await containerSnapshotter(store, rec);
  await unpackLayers(store, snapshots, rec.diffIds, rec.layers);
  await mount(await snapshots.rootfsMount([paths.init], rec.diffIds, paths.upper, paths.work), paths.merged);
}

/** The runc config for a container, written to its bundle. */
async function writeBundle(store: Store, rec: ContainerRecord, paths: ContainerPaths, net: NetworkSetup): Promise<void> {
  let user: Awaited<ReturnType<typeof resolveUser>>;
  try {
    user = await resolveUser(paths.merged, rec.user);
  } catch (e) {
    throw new StartError((e as Error).message, 125);
  }
  const env = [...rec.env];
  if (envLookup(env, "HOME") === undefined) env.push(`HOME=${user.home}`);
  const hostname = net.hostname;
  if (envLookup(env, "HOSTNAME") === undefined) env.unshift(`HOSTNAME=${hostname}`);
  if (rec.tty && envLookup(env, "TERM") === undefined) env.push("TERM=xterm");
  const host = await hostSpec(store.layout.root, rec.hostConfig, paths.merged);
  const spec = runtimeSpec({
    ...host.spec,
    rootfs: paths.merged,
    args: [...host.argsPrefix, ...rec.args],
    env,
    cwd: rec.workdir,
    user,
    hostname,
    network: net.network,
    netnsPath: net.netnsPath,
    terminal: rec.tty,
    mounts: byDepth([
      ...net.mounts,
      ...rec.binds.map((b) => ({ destination: b.destination, source: b.source, type: "bind", options: ["rbind", b.readonly ? "ro" : "rw"] })),
      ...host.mounts,
    ]),
  });
  await mkdir(paths.bundle, { recursive: true });
  await writeFile(join(paths.bundle, "config.json"), JSON.stringify(spec));
}

/** What the monitor reports (monitor/main.ts). */
export type MonitorEvent =
  | { readonly event: "running"; readonly pid: number }
  | { readonly event: "exit"; readonly exitCode: number; readonly startError?: string; readonly removed: boolean; readonly restarting?: boolean };

export interface Started {
  readonly monitor: ChildProcess;
  /** The monitor's next report; undefined once it closed the pipe (or died) without one. */
  next(): Promise<MonitorEvent | undefined>;
  /** Done with the monitor: it runs on without this process. */
  release(): void;
}

/** Reads the monitor's JSON lines (bounded: a line is a few dozen bytes). */
function monitorEvents(pipe: Readable): () => Promise<MonitorEvent | undefined> {
  const queue: (MonitorEvent | undefined)[] = [];
  const waiting: ((e: MonitorEvent | undefined) => void)[] = [];
  const push = (e: MonitorEvent | undefined): void => {
    const w = waiting.shift();
    if (w !== undefined) w(e);
    else queue.push(e);
  };
  let text = "";
  pipe.on("data", (b: Buffer) => {
    text += b.toString("utf8");
    if (text.length > 65536) pipe.destroy();
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      try {
        push(JSON.parse(line) as MonitorEvent);
      } catch {}
    }
  });
  pipe.on("error", () => undefined);
  let closed = false;
  pipe.on("close", () => {
    closed = true;
    push(undefined);
  });
  return () => {
    if (queue.length > 0) return Promise.resolve(queue.shift());
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.push(resolve));
  };
}

/**
 * Starts the container's process under a new monitor. Foreground: the monitor gets this
 * process's stdout and stderr (and its stdin with -i) as its descriptors 5, 6 (and 4),
 * copies the first run's output there as well as to the log, and gives a terminal
 * container the terminal itself; detached: only the log. A monitor of an earlier run
 * still cleaning up is waited for first.
 */
export async function launch(store: Store, rec: ContainerRecord, foreground: boolean): Promise<Started> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  if (!(await waitMonitorGone(paths.monitorState, 10_000))) throw new StartError(`cannot start container ${rec.name}: its previous run is still being cleaned up; try again`, 125);
  const rid = runcId(rec.id);
  await runc(store.layout.runc, ["delete", "--force", rid]);
  await rm(paths.exit, { force: true });
  await rm(paths.monitorState, { force: true });
  await writeFile(paths.runcLog, "");
  await mkdir(store.layout.runc, { recursive: true });
  await mountRootfs(store, rec, paths);
  const net = await setupNetwork(await networkTarget(store, rec)); // h19a: up before the process starts; the monitor tears it down
  try {
    await writeBundle(store, rec, paths, net);
  } catch (e) {
    await teardownNetwork(paths.dir);
    throw e;
  }
  rec.networkState = net.state;
  rec.startedAt = new Date().toISOString();
  await saveRecord(store, rec);
  const cmd = monitorCommand();
  // -a: only the streams asked for reach this terminal (docker's default: all three, stdin with -i).
  const attached = (s: "stdin" | "stdout" | "stderr"): boolean => rec.attach === undefined || rec.attach.includes(s);
  const stdio: StdioOptions = ["ignore", "ignore", "ignore", "pipe", ...(foreground ? [rec.interactive && attached("stdin") ? 0 : "ignore", attached("stdout") ? 1 : "ignore", attached("stderr") ? 2 : "ignore"] : [])] as StdioOptions;
  const monitor = spawn(cmd.file, [...cmd.args, store.layout.root, rec.id, foreground ? "fg" : "bg"], { stdio, detached: true, cwd: paths.dir });
  await new Promise<void>((resolve, reject) => {
    monitor.once("spawn", () => resolve());
    monitor.once("error", (e) => reject(new StartError(`cannot start the monitor of container ${rec.name}: ${e.message}`, 125)));
  });
  const pipe = monitor.stdio[3] as Readable;
  const next = monitorEvents(pipe);
  return {
    monitor,
    next,
    release: () => {
      pipe.destroy();
      monitor.unref();
    },
  };
}

/** A runc message of a process that never started, as docker reports it: 125, 126 (not executable) or 127 (not found). */
export function startErrorOf(rec: ContainerRecord, msg: string): StartError {
  return new StartError(`cannot start container ${rec.name}: ${explainStartError(msg)}`, startFailureCode(msg));
}

/** The start error runc logged, as a StartError with docker's exit code, or undefined when the process did start. */
export async function startFailure(store: Store, rec: ContainerRecord): Promise<StartError | undefined> {
  const msg = await startErrorIn(new ContainerPaths(store.layout.root, rec.id).runcLog);
  return msg === undefined ? undefined : startErrorOf(rec, msg);
}

/** The recorded end of the last run: exit code and time, or undefined while it runs (or never ran). */
export async function readExit(store: Store, id: string): Promise<{ code: number; finishedAt: string } | undefined> {
  const text = await readFile(new ContainerPaths(store.layout.root, id).exit, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const [code, finishedAt] = text.trim().split(" ");
  return { code: Number(code), finishedAt: finishedAt ?? "" };
}

/**
 * After a detached start: waits for the monitor's first report, that the process runs or
 * that it already ended (a quick command, or a failed start: StartError), then lets the
 * monitor go.
 */
export async function waitStarted(store: Store, rec: ContainerRecord, started: Started): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), 60_000);
  });
  try {
    const ev = await Promise.race([started.next(), timeout]);
    if (ev === "timeout") throw new StartError(`container ${rec.name} did not start within 60 seconds`, 125);
    if (ev?.event === "exit" && ev.startError !== undefined) throw startErrorOf(rec, ev.startError);
    if (ev === undefined) {
      // The monitor went without a word: what runc logged says whether the process started.
      const failure = await startFailure(store, rec);
      if (failure !== undefined) throw failure;
    }
  } finally {
    clearTimeout(timer);
    started.release();
  }
}
