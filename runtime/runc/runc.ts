import { spawn } from "node:child_process";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors/error.ts";
import { runcBinary } from "./binary.ts";
import { failpoint } from "../fs/failpoint.ts";

export interface RunOptions {
  /** runc's state directory (its --root). */
  readonly runcRoot: string;
  /** Container id, unique on the machine for the run's duration. */
  readonly id: string;
  /** Bundle directory: config.json is written here. */
  readonly bundle: string;
  readonly spec: Record<string, unknown>;
  /** Where the process's output goes; default inherit the caller's stdio. */
  readonly onOutput?: (chunk: Buffer, stream: "stdout" | "stderr") => void;
  readonly stdin?: "inherit" | "ignore";
}

export class RuncError extends StrataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RUNC_FAILED", message, options);
  }
}

/**
 * Runs one container to completion with `runc run` and returns its exit
 * code. The container is always deleted afterwards, also when the caller
 * is interrupted (see `killAll`).
 */
export async function runContainer(o: RunOptions): Promise<number> {
  await mkdir(o.bundle, { recursive: true });
  await mkdir(o.runcRoot, { recursive: true });
  await writeFile(join(o.bundle, "config.json"), JSON.stringify(o.spec));
  const capture = o.onOutput !== undefined;
  const args = ["--root", o.runcRoot, "run", "--bundle", o.bundle, o.id];
  const child = spawn(runcBinary(), args, { stdio: [o.stdin ?? "ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"] });
  live.add({ runcRoot: o.runcRoot, id: o.id });
  if (capture) {
    child.stdout?.on("data", (c: Buffer) => {
      failpoint("run");
      o.onOutput?.(c, "stdout");
    });
    child.stderr?.on("data", (c: Buffer) => o.onOutput?.(c, "stderr"));
  }
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", (e) => reject(new RuncError(`cannot start runc: ${e.message} (is the runc package installed?)`)));
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
  } finally {
    live.forEach((c) => {
      if (c.id === o.id) live.delete(c);
    });
    await deleteContainer(o.runcRoot, o.id);
  }
}

const live = new Set<{ runcRoot: string; id: string }>();

function signalNumber(sig: NodeJS.Signals): number {
  const map: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return map[sig] ?? 0;
}

/**
 * `runc delete --force`, when runc still has state for the container: `runc run` removes its
 * own when it ends (its container then is gone), so a step that ran to its end costs no second
 * runc; one whose runc was killed left its state dir, and is deleted.
 */
export async function deleteContainer(runcRoot: string, id: string): Promise<void> {
  if ((await stat(join(runcRoot, id)).catch(() => undefined)) === undefined) return;
  await new Promise<void>((resolve) => {
    const c = spawn(runcBinary(), ["--root", runcRoot, "delete", "--force", id], { stdio: "ignore" });
    c.on("close", () => resolve());
    c.on("error", () => resolve());
  });
  await rm(join(runcRoot, id), { recursive: true, force: true });
}

/** Kills and deletes every container this process started (for SIGINT/SIGTERM handlers). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => deleteContainer(c.runcRoot, c.id)));
}
