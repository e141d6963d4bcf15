import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { runcBinary } from "../runc/binary.ts";

/** One runc command; resolves with its exit code and output (never rejects for a non-zero exit). */
export function runc(runcRoot: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(runcBinary(), ["--root", runcRoot, ...args], { encoding: "utf8", maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RuncState {
  readonly status: "created" | "running" | "paused" | "stopped" | string;
  readonly pid: number;
}

/** runc's view of a container, or undefined when runc has no such container. */
export async function runcState(runcRoot: string, id: string): Promise<RuncState | undefined> {
  const r = await runc(runcRoot, ["state", id]);
  if (r.code !== 0) return undefined;
  try {
    const s = JSON.parse(r.stdout) as { status: string; pid: number };
    return { status: s.status, pid: s.pid };
  } catch {
    return undefined;
  }
}

export async function runcKill(runcRoot: string, id: string, signal: string): Promise<{ ok: boolean; message: string }> {
  const r = await runc(runcRoot, ["kill", id, signal]);
  return { ok: r.code === 0, message: lastError(r.stderr) };
}

/** The message of runc's last error in its stderr or its json log (`--log-format json`). */
export function lastError(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  for (const line of lines.reverse()) {
    if (line.startsWith("{")) {
      try {
        const j = JSON.parse(line) as { level?: string; msg?: string };
        if (j.level === "error" || j.level === "fatal") return j.msg ?? line;
      } catch {
        // not json: fall through
      }
      continue;
    }
    const m = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m) return (m[1] as string).replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    return line.trim();
  }
  return "";
}

/** runc's error from a json log file, or "" when it logged none. */
export async function runcLogError(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  const errors = text.split("\n").filter((l) => /"level":"(error|fatal)"/.test(l));
  return errors.length === 0 ? "" : lastError(errors.join("\n"));
}

/** runc's message for a container process that never started (runc.log), or undefined when it did start. */
export async function startErrorIn(runcLog: string): Promise<string | undefined> {
  const msg = await runcLogError(runcLog);
  return msg === "" || !/runc run failed|unable to start|container_linux|exec:/.test(msg) ? undefined : msg;
}

/** A chunk of stderr without runc's own `runc run failed: …` lines (strata reports those itself). */
export function dropRuncErrors(chunk: Buffer): Buffer {
  if (!chunk.includes("runc ")) return chunk;
  return Buffer.from(chunk.toString("latin1").replace(/^runc (run|exec|create|start) failed: .*\n?/gm, ""), "latin1");
}

/**
 * docker's exit codes for a container that could not start (its CLI's
 * runStartContainerErr): 127 when the command is not found, 126 when it
 * cannot be executed, 125 for anything else.
 */
export function startFailureCode(message: string): 125 | 126 | 127 {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|is a directory/i.test(message)) return 126;
  return 125;
}

/** A runc error as a person reads it: without runc's "runc run failed: unable to start container process:" prefixes. */
export function explainStartError(message: string): string {
  return message.replace(/^runc (run|exec|create|start) failed: /, "").replace(/^unable to start container process: /, "");
}
