import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { mkdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { envLookup } from "../../compiler/ir/env.ts";
import { runcBinary } from "../runc/binary.ts";
import { runtimeSpec } from "../runc/spec.ts";
import { resolveUser } from "../runc/user.ts";
import { mount } from "../fs/mount.ts";
import { startTime } from "../fs/owner.ts";
import { OverlaySnapshotter } from "../snapshot/overlay.ts";
import type { Store } from "../store/store.ts";
import { explainStartError, runc, runcLogError, runcState, startFailureCode } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId, saveRecord } from "./state.ts";
import { mountsUnder } from "./unmount.ts";
import { StrataError } from "../errors/error.ts";
import { unpackLayers } from "../registry/refetch.ts";
import { byDepth, hostSpec } from "./host-spec.ts";

/**
 * Starting a container's process. A small monitor — `sh`, running
 * `runc run` in the foreground — owns the process: runc passes its stdio
 * straight to the container (or, with a terminal, copies between its own
 * stdio and the pty it creates), and when the process ends the monitor writes
 * its exit code to `exit` and unmounts the rootfs. The monitor outlives strata
 * (its own session), so a detached container keeps an exit code and leaves
 * nothing mounted even when no strata process is around.
 *
 * Why not `runc run --detach`: runc then leaves, and nobody waits for the
 * process, so its exit code is lost; with `-t` it also needs a process to
 * receive the pty over a console socket and copy it to the log. runc run in
 * the foreground already does both.
 */
const MONITOR = `
r="$1"; log="$2"; bundle="$3"; id="$4"; dir="$5"; merged="$6"; autorm="$7"; namefile="$8"; runc="$9"
"$runc" --root "$r" --log "$log" --log-format json run --bundle "$bundle" "$id"
code=$?
printf '%s %s\\n' "$code" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" > "$dir/exit.tmp" && mv "$dir/exit.tmp" "$dir/exit"
umount "$merged" 2>/dev/null || umount -l "$merged" 2>/dev/null
if [ "$autorm" = 1 ] && ! grep -q '"level":"error"' "$log" 2>/dev/null; then
  "$runc" --root "$r" delete --force "$id" >/dev/null 2>&1
  rm -rf "$dir" "$namefile"
fi
exit $code
`;

/** A chunk of stderr without runc's own `runc run failed: …` lines (strata reports those itself). */
export function dropRuncErrors(chunk: Buffer): Buffer {
  if (!chunk.includes("runc ")) return chunk;
  return Buffer.from(chunk.toString("latin1").replace(/^runc (run|exec|create|start) failed: .*\n?/gm, ""), "latin1");
}

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

/** Mounts the container's overlay (init layer over the image's layers) on merged/. */
async function mountRootfs(store: Store, rec: ContainerRecord, paths: ContainerPaths): Promise<void> {
  if (await isMounted(paths.merged)) return;
  const snapshots = new OverlaySnapshotter(store.layout, store.content);
  await unpackLayers(store, snapshots, rec.diffIds, rec.layers);
  const lowers = [paths.init, ...snapshots.lowerDirs(rec.diffIds)];
  await mount(
    {
      type: "overlay",
      source: "overlay",
      options: [`lowerdir=${lowers.join(":")}`, `upperdir=${paths.upper}`, `workdir=${paths.work}`, "index=off", "redirect_dir=off", "metacopy=off"],
      cwd: store.layout.snapshots,
    },
    paths.merged,
  );
}

/** The runc config for a container, written to its bundle. */
async function writeBundle(store: Store, rec: ContainerRecord, paths: ContainerPaths): Promise<void> {
  let user: Awaited<ReturnType<typeof resolveUser>>;
  try {
    user = await resolveUser(paths.merged, rec.user);
  } catch (e) {
    throw new StartError((e as Error).message, 125);
  }
  const env = [...rec.env];
  if (envLookup(env, "HOME") === undefined) env.push(`HOME=${user.home}`);
  const hostname = rec.id.slice(0, 12);
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
    network: "host",
    terminal: rec.tty,
    mounts: byDepth([
      { destination: "/etc/resolv.conf", source: "/etc/resolv.conf", type: "bind", options: ["rbind", "ro"] },
      { destination: "/etc/hosts", source: "/etc/hosts", type: "bind", options: ["rbind", "ro"] },
      { destination: "/etc/hostname", source: join(paths.dir, "hostname"), type: "bind", options: ["rbind", "ro"] },
      ...rec.binds.map((b) => ({ destination: b.destination, source: b.source, type: "bind", options: ["rbind", b.readonly ? "ro" : "rw"] })),
      ...host.mounts,
    ]),
  });
  await mkdir(paths.bundle, { recursive: true });
  await writeFile(join(paths.bundle, "config.json"), JSON.stringify(spec));
}

export interface Started {
  /** The monitor process (only awaited in the foreground). */
  readonly monitor: ChildProcess;
  /** Size of container.log before this start (a failed start's runc message is cut off it). */
  readonly logSize: number;
}

/**
 * Starts the container's process under a monitor. Foreground: the monitor
 * gets the caller's stdout/stderr (and stdin with `interactive`) and, with a
 * terminal, stays in the caller's process group so runc can put the terminal
 * in raw mode; otherwise it gets its own session and signals come through
 * `runc kill`. Detached: stdio goes to container.log (stdin from a fifo kept
 * open with `-i`, else /dev/null).
 */
export async function launch(store: Store, rec: ContainerRecord, foreground: boolean): Promise<Started> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const rid = runcId(rec.id);
  await runc(store.layout.runc, ["delete", "--force", rid]);
  await rm(paths.exit, { force: true });
  await writeFile(paths.runcLog, "");
  await mkdir(store.layout.runc, { recursive: true });
  await mountRootfs(store, rec, paths);
  await writeBundle(store, rec, paths);
  rec.startedAt = new Date().toISOString();
  await saveRecord(store, rec);
  const logSize = (await stat(paths.log).catch(() => undefined))?.size ?? 0;
  const autoRm = rec.autoRemove && !foreground ? "1" : "0";
  const argv = ["-c", MONITOR, "strata-monitor", store.layout.runc, paths.runcLog, paths.bundle, rid, paths.dir, paths.merged, autoRm, join(store.layout.root, "containers", "names", rec.name), runcBinary()];
  let monitor: ChildProcess;
  if (foreground) {
    // stderr comes through us so that runc's own one-line error for a failed start is not printed next to ours.
    // -a: only the streams asked for reach this terminal (docker's default: all three, stdin with -i).
    const attached = (s: "stdin" | "stdout" | "stderr"): boolean => rec.attach === undefined || rec.attach.includes(s);
    monitor = spawn("sh", argv, { stdio: [rec.interactive && attached("stdin") ? "inherit" : "ignore", attached("stdout") ? "inherit" : "ignore", "pipe"], detached: !rec.tty });
    monitor.stderr?.on("data", (chunk: Buffer) => {
      const text = dropRuncErrors(chunk);
      if (text.length > 0 && attached("stderr")) process.stderr.write(text);
    });
  } else {
    const out = openSync(paths.log, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o640);
    let input: number;
    if (rec.interactive) {
      await rm(paths.stdin, { force: true });
      await new Promise<void>((resolve, reject) => spawn("mkfifo", ["-m", "600", paths.stdin], { stdio: "ignore" }).on("close", (c) => (c === 0 ? resolve() : reject(new StartError(`cannot make the stdin fifo of container ${rec.name}`, 125)))));
      // Read-write: the fifo never reports end of file, as docker keeps a -i container's stdin open.
      input = openSync(paths.stdin, constants.O_RDWR);
    } else input = openSync("/dev/null", constants.O_RDONLY);
    try {
      monitor = spawn("sh", argv, { stdio: [input, out, out], detached: true });
    } finally {
      closeSync(out);
      closeSync(input);
    }
    monitor.unref();
  }
  await new Promise<void>((resolve, reject) => {
    monitor.once("spawn", () => resolve());
    monitor.once("error", (e) => reject(new StartError(`cannot start the container's monitor: ${e.message}`, 125)));
  });
  // Who owns the container's dir until the process has ended: rm waits for it (lifecycle.ts waitMonitorGone).
  if (monitor.pid !== undefined) await writeFile(paths.monitor, `${monitor.pid}.${startTime(monitor.pid) ?? "0"}`);
  return { monitor, logSize };
}

/** The start error runc logged, as a StartError with docker's exit code, or undefined when the process did start. */
export async function startFailure(store: Store, rec: ContainerRecord): Promise<StartError | undefined> {
  const msg = await runcLogError(new ContainerPaths(store.layout.root, rec.id).runcLog);
  if (msg === "" || !/runc run failed|unable to start|container_linux|exec:/.test(msg)) return undefined;
  return new StartError(`cannot start container ${rec.name}: ${explainStartError(msg)}`, startFailureCode(msg));
}

/** The recorded end of the last run: exit code and time, or undefined while it runs (or never ran). */
export async function readExit(store: Store, id: string): Promise<{ code: number; finishedAt: string } | undefined> {
  const text = await readFile(new ContainerPaths(store.layout.root, id).exit, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const [code, finishedAt] = text.trim().split(" ");
  return { code: Number(code), finishedAt: finishedAt ?? "" };
}

/**
 * After a detached start: waits until runc reports the process running, or
 * the monitor has recorded its end (a quick command, or a failed start).
 * A failed start throws StartError and leaves the log as it was.
 */
export async function waitStarted(store: Store, rec: ContainerRecord, started: Started): Promise<void> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const rid = runcId(rec.id);
  const deadline = Date.now() + 60_000;
  for (let delay = 5; Date.now() < deadline; delay = Math.min(delay * 2, 100)) {
    const exit = await readExit(store, rec.id);
    // --rm: the monitor removed a container that ran and ended already.
    if (exit === undefined && (await stat(paths.config).catch(() => undefined)) === undefined) return;
    if (exit !== undefined) {
      const failure = await startFailure(store, rec);
      if (failure !== undefined) {
        await truncate(paths.log, started.logSize).catch(() => undefined);
        throw failure;
      }
      return;
    }
    const st = await runcState(store.layout.runc, rid);
    if (st !== undefined && (st.status === "running" || st.status === "paused")) return;
    await sleep(delay);
  }
  throw new StartError(`container ${rec.name} did not start within 60 seconds`, 125);
}
