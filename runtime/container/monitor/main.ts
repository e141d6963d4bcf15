import { spawnSync } from "node:child_process";
import { appendFileSync, closeSync, constants, createWriteStream, openSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { isatty } from "node:tty";
import { StrataError } from "../../errors/error.ts";
import { SELF } from "../../fs/owner.ts";
import type { ImageConfigJson } from "../../store/oci.ts";
import { Store } from "../../store/store.ts";
import type { LogStream } from "../log-file.ts";
import { runcState } from "../runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "../state.ts";
import { finalCleanup } from "./final-cleanup.ts";
import { HealthChecker } from "./health-check.ts";
import { probeArgs } from "./health-config.ts";
import { JsonLogWriter } from "./log-writer.ts";
import { type Ended, type ProcessRun, runProcess, runProbe } from "./process-run.ts";
import { NO_RESTART, RestartManager } from "./restart-policy.ts";
import { MonitorServers } from "./servers.ts";
import { type MonitorState, writeMonitorState } from "./state-file.ts";

/**
 * The monitor: one process per started container, which owns it until it ends for good.
 * `launch` (../start.ts) starts it as `strata __strata-monitor ROOT ID fg|bg` (command.ts),
 * detached in a session of its own, so it outlives the strata process that started it and
 * survives its being killed. It:
 *
 * - runs the container's process (`runc run`, process-run.ts), writes its end to `exit`, and
 *   restarts it as its restart policy says, with docker's backoff (restart-policy.ts);
 * - keeps stdout and stderr apart in the json-file log, rotated (log-writer.ts), and sends
 *   them to attached clients and, for a foreground `run`, to the terminal or pipes strata
 *   was given (descriptors 5 and 6; 4 is its stdin with -i);
 * - gives a detached terminal container (`-dit`) a console: a pty master only it holds,
 *   whose size `resize` sets, so runc can copy the container's pty to the log;
 * - runs the health check on its schedule (health-check.ts) with `runc exec`;
 * - answers on control.sock and attach.sock (sockets.ts);
 * - records what runc does not know in state.json (state-file.ts);
 * - tells the strata that started it, on descriptor 3, one JSON line per event:
 *   `{"event":"running","pid":N}` once the process runs, `{"event":"exit","exitCode":N,
 *   "startError"?:"…","removed":bool}` when its first run ended (a foreground `run` returns
 *   then), and closes it;
 * - when the container ends for good, takes the one final step (final-cleanup.ts): runc's
 *   state, every mount, the network, and --rm.
 *
 * Its own errors go to monitor.log in the container's dir.
 */
export async function monitorMain(argv: readonly string[]): Promise<void> {
  const [root, id, mode] = argv;
  if (root === undefined || id === undefined || !/^[a-f0-9]{64}$/.test(id)) {
    process.exitCode = 2;
    return;
  }
  const paths = new ContainerPaths(root, id);
  process.chdir(paths.dir);
  const rec = JSON.parse(readFileSync(paths.config, "utf8")) as ContainerRecord;
  const monitor = new Monitor(new Store(root), rec, paths, mode === "fg");
  // A bug in one part must not cost the container its final step: noted, and the monitor goes on.
  process.on("uncaughtException", (e) => monitor.note(`uncaught: ${e.stack ?? e}`));
  await monitor.run();
  // Every handle is closed by now; an exit here only cuts a lingering timer short.
  setTimeout(() => process.exit(0), 1000).unref();
}

/** What the monitor writes on descriptor 3 for the strata that started it. */
class Reporter {
  #socket: Socket | undefined;
  constructor() {
    try {
      statSync("/proc/self/fd/3");
      this.#socket = new Socket({ fd: 3, readable: false, writable: true });
      this.#socket.on("error", () => {
        this.#socket = undefined;
      });
    } catch {
      this.#socket = undefined;
    }
  }
  send(event: object): void {
    this.#socket?.write(`${JSON.stringify(event)}\n`);
  }
  close(): void {
    this.#socket?.end();
    this.#socket = undefined;
  }
}

/** A descriptor the output is copied to (a foreground run's stdout or stderr); a reader that went away is dropped. */
class Forward {
  #stream: Writable | undefined;
  constructor(fd: number) {
    this.#stream = createWriteStream("", { fd, autoClose: true });
    this.#stream.on("error", () => {
      this.#stream = undefined;
    });
  }
  /** Resolves once the stream takes more (the source waits for it: a slow terminal slows the process, as a pipe would). */
  write(chunk: Buffer): Promise<void> | undefined {
    const s = this.#stream;
    if (s === undefined || s.write(chunk)) return undefined;
    return new Promise((resolve) => {
      s.once("drain", resolve);
      s.once("error", resolve);
      s.once("close", resolve);
    });
  }
  close(): Promise<void> {
    const s = this.#stream;
    this.#stream = undefined;
    if (s === undefined) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}

class Monitor {
  readonly #reporter = new Reporter();
  readonly #restarts: RestartManager;
  readonly #servers: MonitorServers;
  readonly #rid: string;
  #log: JsonLogWriter | undefined;
  #health: HealthChecker | undefined;
  #current: ProcessRun | undefined;
  #console: number | undefined;
  #dummyConsole: number | undefined;
  #forward: { stdout: Forward; stderr: Forward } | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #state: MonitorState = { owner: SELF, phase: "starting", restartCount: 0 };

  readonly store: Store;
  readonly rec: ContainerRecord;
  readonly paths: ContainerPaths;
  readonly foreground: boolean;

  constructor(store: Store, rec: ContainerRecord, paths: ContainerPaths, foreground: boolean) {
    this.store = store;
    this.rec = rec;
    this.paths = paths;
    this.foreground = foreground;
    this.#rid = runcId(rec.id);
    this.#restarts = new RestartManager(rec.restartPolicy ?? NO_RESTART);
    this.#servers = new MonitorServers({
      stop: () => {
        this.#stopped = true;
        this.#wake?.();
      },
      resize: (rows, cols) => this.#resize(rows, cols),
      stdin: () => this.#current?.stdin ?? undefined,
    });
    if (foreground) this.#forward = { stdout: new Forward(5), stderr: new Forward(6) };
  }

  async run(): Promise<void> {
    let last: Ended = { exitCode: -1 };
    let reported = false;
    try {
      this.#log = new JsonLogWriter(this.paths.jsonLog);
      await this.#servers.listen();
      this.#setState({ phase: "starting" });
      this.#health = this.#healthChecker();
      for (let first = true; ; first = false) {
        const began = Date.now();
        last = await this.#runOnce(first);
        const delay = last.startError !== undefined ? undefined : this.#restarts.next(last.exitCode, Date.now() - began, this.#stopped);
        if (first) await this.#endForeground();
        if (delay === undefined) break;
        this.#setState({ phase: "restarting", restartCount: this.#restarts.count });
        if (first && !reported) {
          this.#reporter.send({ event: "exit", exitCode: last.exitCode, restarting: true, removed: false });
          this.#reporter.close();
          reported = true;
        }
        if (!(await this.#backoff(delay))) break;
      }
    } catch (e) {
      this.note(`monitor: ${(e as Error).stack ?? e}`);
    } finally {
      this.#health?.stop();
      this.#servers.close();
      this.#log?.close();
      await this.#endForeground();
      for (const fd of [this.#dummyConsole]) if (fd !== undefined) closeSync(fd);
      let removed = false;
      try {
        process.chdir("/");
        ({ removed } = await finalCleanup(this.store, this.rec));
      } catch (e) {
        this.note(`final cleanup: ${(e as Error).message}`);
      }
      // Exited only once cleaned up: until then the container counts as running, so `stop`, `wait`
      // and `rm` return with its network torn down and its ports free (a removed one has no state left).
      if (!removed) this.#setState({ phase: "exited" });
      if (!reported) this.#reporter.send({ event: "exit", exitCode: last.exitCode, ...(last.startError !== undefined && { startError: last.startError }), removed });
      this.#reporter.close();
    }
  }

  /** One run of the process, from `runc run` to its end recorded in `exit`. */
  async #runOnce(first: boolean): Promise<Ended> {
    const fg = first && this.foreground;
    this.#console = this.rec.tty ? (fg ? [6, 5, 4].find((fd) => isatty(fd)) : undefined) ?? this.#dummy() : undefined;
    const run = runProcess({
      runcRoot: this.store.layout.runc,
      runcLog: this.paths.runcLog,
      bundle: this.paths.bundle,
      rid: this.#rid,
      pidFile: this.paths.pidFile,
      tty: this.rec.tty,
      stdin: fg && this.rec.interactive ? 4 : this.rec.interactive ? "pipe" : "ignore",
      ...(this.#console !== undefined && { console: this.#console }),
      output: (stream, chunk) => this.#output(stream, chunk),
    });
    this.#current = run;
    const pid = await run.running;
    if (pid !== undefined) {
      // Until the process runs, a restarting container shows how its last run ended.
      rmSync(this.paths.exit, { force: true });
      const startedAt = new Date().toISOString();
      this.#setState({ phase: "running", startedAt });
      if (first) this.#reporter.send({ event: "running", pid });
      this.#health?.start(Date.parse(startedAt));
    }
    const ended = await run.ended;
    this.#health?.stop();
    this.#current = undefined;
    this.#servers.endClients();
    const tmp = `${this.paths.exit}.tmp`;
    writeFileSync(tmp, `${ended.exitCode} ${new Date().toISOString()}\n`);
    renameSync(tmp, this.paths.exit);
    this.#setState({ exits: (this.#state.exits ?? 0) + 1, lastExitCode: ended.exitCode });
    return ended;
  }

  #output(stream: LogStream, chunk: Buffer): Promise<void> | undefined {
    this.#log?.write(stream, chunk);
    this.#servers.emit(stream, chunk);
    return this.#forward?.[stream].write(chunk);
  }

  /** After a foreground run's first process: strata's descriptors are let go (a restarted process writes only to the log). */
  async #endForeground(): Promise<void> {
    const f = this.#forward;
    this.#forward = undefined;
    if (f === undefined) return;
    await Promise.all([f.stdout.close(), f.stderr.close()]);
    if (this.rec.interactive) {
      try {
        closeSync(4);
      } catch {}
    }
  }

  /** Waits `ms` before the next start; false when the container was stopped meanwhile. */
  async #backoff(ms: number): Promise<boolean> {
    if (this.#stopped) return false;
    await Promise.race([sleep(ms), new Promise<void>((resolve) => (this.#wake = resolve))]);
    this.#wake = undefined;
    return !this.#stopped;
  }

  /** A pty master nobody else holds: a detached terminal container's console (24×80 to begin with, as a terminal). */
  #dummy(): number {
    if (this.#dummyConsole === undefined) {
      this.#dummyConsole = openSync("/dev/ptmx", constants.O_RDWR | constants.O_NOCTTY);
      spawnSync("stty", ["rows", "24", "cols", "80"], { stdio: [this.#dummyConsole, "ignore", "ignore"] });
    }
    return this.#dummyConsole;
  }

  async #resize(rows: number | undefined, cols: number | undefined): Promise<void> {
    if (!this.rec.tty) throw new StrataError("CONTAINER_STATE", `container ${this.rec.name} has no terminal to resize`);
    if (rows !== undefined && cols !== undefined && this.#console !== undefined && this.#console === this.#dummyConsole) {
      spawnSync("stty", ["rows", String(rows), "cols", String(cols)], { stdio: [this.#console, "ignore", "ignore"] });
    }
    // runc resizes the container's pty to its console's size on SIGWINCH.
    this.#current?.runc.kill("SIGWINCH");
  }

  #healthChecker(): HealthChecker | undefined {
    let shell: string[] | undefined;
    try {
      shell = (JSON.parse(readFileSync(this.paths.imageConfig, "utf8")) as ImageConfigJson).config.Shell;
    } catch {}
    const args = probeArgs(this.rec.healthcheck, shell);
    if (args === undefined || this.rec.healthcheck === undefined) return undefined;
    const runcRoot = this.store.layout.runc;
    return new HealthChecker(
      this.rec.healthcheck,
      {
        probe: (timeoutMs) => runProbe({ runcRoot, rid: this.#rid, dir: this.paths.dir, bundle: this.paths.bundle, args, timeoutMs }),
        paused: async () => (await runcState(runcRoot, this.#rid))?.status === "paused",
        changed: (health) => this.#setState({ health }),
      },
      undefined,
    );
  }

  #setState(change: Partial<MonitorState>): void {
    this.#state = { ...this.#state, ...change };
    try {
      writeMonitorState(this.paths.monitorState, this.#state);
    } catch (e) {
      this.note(`state.json: ${(e as Error).message}`);
    }
  }

  /** One line in monitor.log, kept under 1 MiB. */
  note(text: string): void {
    try {
      if ((statSync(this.paths.monitorLog, { throwIfNoEntry: false })?.size ?? 0) > 1 << 20) truncateSync(this.paths.monitorLog, 0);
      appendFileSync(this.paths.monitorLog, `${new Date().toISOString()} ${text}\n`);
    } catch {}
  }
}
