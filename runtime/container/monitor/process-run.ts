import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runcBinary } from "../../runc/binary.ts";
import type { LogStream } from "../log-file.ts";
import { dropRuncErrors, explainStartError, runcLogError, startErrorIn } from "../runc-ops.ts";
import type { ProbeOutcome } from "./health-check.ts";
import { goDuration } from "./health-check.ts";

export interface RunSpec {
  readonly runcRoot: string;
  readonly runcLog: string;
  readonly bundle: string;
  readonly rid: string;
  readonly pidFile: string;
  readonly tty: boolean;
  /** The process's stdin: none, a pipe the monitor writes (-i), or a descriptor it was given (a foreground run's). */
  readonly stdin: "ignore" | "pipe" | number;
  /**
   * With a terminal: runc's stderr, the console it puts in raw mode and whose size the
   * container's pty follows (runc run in the foreground copies between its stdio and the pty
   * it made): the user's terminal in the foreground, else a pty master nobody reads.
   */
  readonly console?: number;
  /** Each chunk of output; a promise returned holds the stream until it settles (a slow reader slows the process). */
  readonly output: (stream: LogStream, chunk: Buffer) => Promise<void> | undefined;
}

export interface Ended {
  readonly exitCode: number;
  /** runc's message when the process never started (not found, not executable, a bad mount). */
  readonly startError?: string;
}

export interface ProcessRun {
  readonly runc: ChildProcess;
  readonly stdin: ChildProcess["stdin"];
  /** The process's host pid once it runs; undefined when it ended first. */
  readonly running: Promise<number | undefined>;
  readonly ended: Promise<Ended>;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/**
 * One run of the container's process: `runc run` in the foreground (runc waits for the
 * process and exits with its status, 128+N for a signal), its stdout and stderr piped to
 * the monitor (runc hands the pipes to the process itself; with a terminal, runc copies the
 * pty to its stdout). runc writes the pid file once the process runs.
 */
export function runProcess(o: RunSpec): ProcessRun {
  rmSync(o.pidFile, { force: true });
  writeFileSync(o.runcLog, "");
  const stdio: StdioOptions = [o.stdin, "pipe", o.tty && o.console !== undefined ? o.console : "pipe"];
  const child = spawn(runcBinary(), ["--root", o.runcRoot, "--log", o.runcLog, "--log-format", "json", "run", "--bundle", o.bundle, "--pid-file", o.pidFile, o.rid], { stdio });
  // Input for a process that ended (EPIPE) is dropped, never the monitor's end.
  child.stdin?.on("error", () => undefined);
  const streamsClosed: Promise<void>[] = [];
  const pipe = (s: NodeJS.ReadableStream | null, stream: LogStream, filter: boolean): void => {
    if (s === null) return;
    s.on("data", (chunk: Buffer) => {
      const text = filter ? dropRuncErrors(chunk) : chunk;
      const wait = text.length > 0 ? o.output(stream, text) : undefined;
      if (wait === undefined) return;
      s.pause();
      void wait.then(() => s.resume());
    });
    streamsClosed.push(new Promise((resolve) => s.once("close", () => resolve())));
  };
  pipe(child.stdout, "stdout", false);
  if (!o.tty) pipe(child.stderr, "stderr", true);
  let exited = false;
  const exit = new Promise<number>((resolve) => {
    child.once("error", () => resolve(125));
    child.once("exit", (code, signal) => {
      exited = true;
      resolve(code ?? 128 + (SIGNALS[signal ?? ""] ?? 0));
    });
  });
  // Running once the process is the container's command: runc writes the pid file when it has
  // created the container, while its init still waits to exec it (a kill then is runc's "container
  // process is already dead", a start failure). Until the exec, the pid's comm is runc's init.
  const running = (async (): Promise<number | undefined> => {
    for (let delay = 2; !exited; delay = Math.min(delay * 2, 20)) {
      const pid = Number((await readFile(o.pidFile, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && !(await inRuncInit(pid))) return pid;
      await Promise.race([sleep(delay), exit]);
    }
    return undefined;
  })();
  const ended = (async (): Promise<Ended> => {
    const exitCode = await exit;
    // The output the process wrote before it ended is all read (bounded: a process it left behind cannot hold the monitor).
    await Promise.race([Promise.all(streamsClosed), sleep(2000)]);
    const startError = await startErrorIn(o.runcLog);
    return startError === undefined ? { exitCode } : { exitCode, startError };
  })();
  return { runc: child, stdin: child.stdin, running, ended };
}

const OUTPUT_MAX = 4096;

/**
 * One health check: `runc exec` of `args` with the container's own process settings (user,
 * env, working dir, capabilities), stdout and stderr together, at most 4096 bytes kept
 * (then "..."), as docker's probe. Past `timeoutMs` the check's process is killed and the
 * result is -1, "Health check exceeded timeout (…)".
 */
export async function runProbe(o: { runcRoot: string; rid: string; dir: string; bundle: string; args: readonly string[]; timeoutMs: number }): Promise<ProbeOutcome> {
  const spec = JSON.parse(readFileSync(join(o.bundle, "config.json"), "utf8")) as { process: Record<string, unknown> };
  const tag = randomBytes(6).toString("hex");
  const processFile = join(o.dir, `health-${tag}.json`);
  const pidFile = join(o.dir, `health-${tag}.pid`);
  const logFile = join(o.dir, `health-${tag}.log`);
  writeFileSync(processFile, JSON.stringify({ ...spec.process, terminal: false, args: o.args }));
  try {
    const child = spawn(runcBinary(), ["--root", o.runcRoot, "--log", logFile, "--log-format", "json", "exec", "--process", processFile, "--pid-file", pidFile, o.rid], { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    const take = (b: Buffer): void => {
      const room = OUTPUT_MAX - kept;
      if (b.length > room) truncated = true;
      if (room > 0) {
        chunks.push(b.subarray(0, room));
        kept += Math.min(room, b.length);
      }
    };
    child.stdout?.on("data", take);
    child.stderr?.on("data", (b: Buffer) => take(dropRuncErrors(b)));
    let timedOut = false;
    let closed = false;
    const code = new Promise<number>((resolve) => {
      child.once("error", () => resolve(-1));
      child.once("close", (c) => {
        closed = true;
        resolve(c ?? -1);
      });
    });
    const readPid = (): number => {
      try {
        return Number(readFileSync(pidFile, "utf8").trim());
      } catch {
        return 0;
      }
    };
    const kill = (): void => {
      timedOut = true;
      const pid = readPid();
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      child.kill("SIGKILL");
    };
    // As docker's: the time runc takes to start the check is not the check's; it gets 30 s for that.
    const startDeadline = Date.now() + 30_000;
    while (!closed && readPid() <= 0 && Date.now() < startDeadline) await sleep(5);
    let timer: NodeJS.Timeout | undefined;
    let notStarted = false;
    if (!closed && readPid() > 0) timer = setTimeout(kill, o.timeoutMs);
    else if (!closed) {
      notStarted = true;
      kill();
    }
    const exitCode = await code;
    clearTimeout(timer);
    if (notStarted) return { exitCode: -1, output: "timed out starting health check" };
    const output = `${Buffer.concat(chunks).toString("utf8")}${truncated ? "..." : ""}`;
    if (timedOut) return { exitCode: -1, output: `Health check exceeded timeout (${goDuration(o.timeoutMs)})${output === "" ? "" : `: ${output}`}` };
    const failed = await runcLogError(logFile);
    if (failed !== "" && /exec failed|unable to start|exec:/.test(failed)) return { exitCode: -1, output: explainStartError(failed.replace(/^runc exec failed: /, "")) };
    return { exitCode, output };
  } finally {
    for (const f of [processFile, pidFile, logFile]) rmSync(f, { force: true });
  }
}

/** Whether `pid` is still runc's init, not yet the container's command (a pid gone is not). */
async function inRuncInit(pid: number): Promise<boolean> {
  const comm = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "");
  return comm.startsWith("runc:[");
}
