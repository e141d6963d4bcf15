/**
 * One git command of a git build context, bounded (README "Limits"; layer/limits.ts):
 * - bytes: while it runs, the directory it writes into (`watch`) is measured every 100 ms;
 *   past STRATA_MAX_GIT_BYTES (with `files`, past STRATA_MAX_GIT_FILES entries) git is killed;
 * - time: git must show progress (output on stdout or stderr, which `--progress` makes of the
 *   server's counting and the transfer, or bytes landing in `watch`) at least every
 *   STRATA_GIT_TIMEOUT_MS, else it is killed (a hung server, a stalled transfer);
 * - `stdout`, when given, sees each chunk and may throw to stop git (a tree over the limits).
 * git runs in a process group of its own, so the helpers it starts (git-remote-https,
 * index-pack, ssh) go with it: killed on a limit, and on SIGINT/SIGTERM before strata exits
 * (130/143; the scratch directory, named by the pid, is reclaimed by the next command).
 * A limit is LIMIT_EXCEEDED (exit 4) naming the context and the variable; git's own failure is
 * CONTEXT_SOURCE with git's last line. The caller removes the partial clone.
 */
import { spawn } from "node:child_process";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../../errors/error.ts";
import { LimitError, limit } from "../../layer/limits.ts";

export interface GitRun {
  /** The repository directory (`git -C`). */
  readonly cwd: string;
  readonly args: readonly string[];
  /** Names the context in messages: `build context URL`. */
  readonly what: string;
  /** Measured while git runs: its bytes (and with `files`, its entries) are bounded by the git limits. */
  readonly watch?: { readonly dir: string; readonly files: boolean };
  /** Each chunk of stdout (absent: stdout is ignored); a throw stops git with that error. */
  readonly stdout?: (chunk: Buffer) => void;
}

/** The bytes and entries under `dir`, stopping once either passes its maximum. */
async function measure(dir: string, maxBytes: number, maxFiles: number): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (d: string): Promise<void> => {
    const names = await readdir(d).catch(() => [] as string[]);
    for (const name of names) {
      if (bytes > maxBytes || files > maxFiles) return;
      const p = join(d, name);
      const st = await lstat(p).catch(() => undefined);
      if (st === undefined) continue;
      files++;
      if (st.isDirectory()) await walk(p);
      else bytes += st.size;
    }
  };
  await walk(dir);
  return { bytes, files };
}

/** git's last line (progress lines end in `\r`), for an error message. */
function lastLine(text: string): string | undefined {
  return text.split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean).pop();
}

/** Runs git with the bounds above; resolves when it exits 0. */
export async function runGit(r: GitRun): Promise<void> {
  const maxBytes = limit("gitBytes");
  const maxFiles = r.watch?.files ? limit("gitFiles") : Number.POSITIVE_INFINITY;
  const stallMs = limit("gitTimeoutMs");
  const child = spawn("git", ["-C", r.cwd, ...r.args], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
  let failure: unknown;
  let stderr = "";
  let lastProgress = Date.now();
  const kill = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const stop = (e: unknown): void => {
    failure ??= e;
    kill();
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    kill();
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  child.stdout.on("data", (c: Buffer) => {
    lastProgress = Date.now();
    try {
      r.stdout?.(c);
    } catch (e) {
      stop(e);
    }
  });
  child.stderr.on("data", (c: Buffer) => {
    lastProgress = Date.now();
    stderr = (stderr + c.toString()).slice(-8192);
  });
  const overLimit = (m: { bytes: number; files: number }): LimitError | undefined => {
    if (m.bytes > maxBytes) return new LimitError("gitBytes", r.what, `git wrote more than ${maxBytes} bytes`);
    if (m.files > maxFiles) return new LimitError("gitFiles", r.what, `git wrote more than ${maxFiles} files`);
    return undefined;
  };
  let measuring = false;
  let seen = -1;
  const timer = setInterval(() => {
    if (Date.now() - lastProgress > stallMs) stop(new LimitError("gitTimeoutMs", r.what, `git made no progress for ${stallMs} ms (a server that does not answer?)`));
    if (r.watch === undefined || measuring || failure !== undefined) return;
    measuring = true;
    void measure(r.watch.dir, maxBytes, maxFiles).then((m) => {
      measuring = false;
      if (m.bytes + m.files !== seen) lastProgress = Date.now();
      seen = m.bytes + m.files;
      const over = overLimit(m);
      if (over !== undefined) stop(over);
    });
  }, 100);
  try {
    const exit = await new Promise<number | null>((done, fail) => {
      child.once("error", fail);
      child.once("close", (code) => done(code));
    }).catch((e: { code?: string }) => {
      if (e.code === "ENOENT") throw new StrataError("CONTEXT_SOURCE", `${r.what}: git is not installed (it is needed for a git build context)`);
      throw e;
    });
    // What git wrote after the last look (a fast transfer ends between two).
    if (failure === undefined && r.watch !== undefined) failure = overLimit(await measure(r.watch.dir, maxBytes, maxFiles));
    if (failure !== undefined) throw failure;
    if (exit !== 0) throw new StrataError("CONTEXT_SOURCE", `${r.what}: ${lastLine(stderr) ?? `git ${r.args[0] ?? ""} exited with ${exit ?? "a signal"}`}`);
  } finally {
    clearInterval(timer);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
