import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the strata CLI (bin/strata.js) under this Node, against a store root. `--` ends Node's own
 * options, as bin/strata.js's shebang does: Node reads a `--env-file` anywhere before one (nodejs/node#54232).
 */
export function strata(root: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {}): CliResult {
  const r = spawnSync(process.execPath, ["--", join(repoRoot, "bin/strata.js"), "--root", root, ...args], {
    cwd: options.cwd ?? repoRoot,
    ...(options.input !== undefined && { input: options.input }),
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** What it printed on stdout so far. */
  output(): string;
  readonly done: Promise<CliResult & { readonly signal: NodeJS.Signals | null }>;
}

/**
 * Starts the strata CLI without blocking the event loop: for signals, `logs -f`,
 * and specs that serve HTTP from their own process while strata talks to it.
 */
export function startStrata(root: string, args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): RunningCli {
  return startProcess(process.execPath, ["--", join(repoRoot, "bin/strata.js"), "--root", root, ...args], { env: { ...process.env, ...options.env }, ...(options.input !== undefined && { input: options.input }) });
}

/** Any command, its output collected as startStrata's is (specs/helpers/rootless.ts runs strata as another user with it). */
export function startProcess(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunningCli {
  const child = spawn(cmd, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code: code ?? 1, signal, stdout, stderr }));
  });
  return { child, output: () => stdout, done };
}

/** strata() without blocking the event loop. */
export function strataAsync(root: string, args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return startStrata(root, args, options).done;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
}

/** A fresh store root with busybox:latest imported from Debian's busybox-static. */
export function storeWithBusybox(prefix: string): { root: string; cleanup: () => void } {
  const root = tempDir(`${prefix}-root`);
  const tar = join(root, "..", `${root.split("/").pop()}-busybox.tar`);
  const mk = spawnSync("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), tar], { encoding: "utf8" });
  if (mk.status !== 0) throw new Error(`busybox-rootfs.sh failed: ${mk.stderr}`);
  const imp = strata(root, ["import", tar, "busybox:latest"]);
  rmSync(tar, { force: true });
  if (imp.code !== 0) throw new Error(`strata import failed: ${imp.stderr}`);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A TCP port free on 127.0.0.1 right now (specs only ever listen and connect there). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr !== null ? addr.port : 0));
    });
  });
}
