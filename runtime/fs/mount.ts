import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { StrataError } from "../errors/error.ts";

/** execFile as a promise, made on first use (child_process is loaded only by what runs a program). */
const run = (file: string, args: readonly string[], options: { cwd?: string } = {}) => promisify(execFile)(file, args, options);

/** A mount as data (containerd style): the snapshotter returns these, callers mount them. */
export interface MountSpec {
  readonly type: "overlay" | "bind";
  readonly source: string;
  readonly options: readonly string[];
  /** Directory the option paths are relative to (keeps overlay's option string short). */
  readonly cwd?: string;
}

export async function mount(m: MountSpec, target: string): Promise<void> {
  const args = ["-t", m.type, m.source, "-o", m.options.join(","), target];
  if (m.type === "bind") args.splice(0, 2, "--bind");
  try {
    await run("mount", args, m.cwd === undefined ? {} : { cwd: m.cwd });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new StrataError("MOUNT_FAILED", `mount ${m.type} on ${target} failed: ${(err.stderr || err.message).trim()}`);
  }
}

export async function unmount(target: string): Promise<void> {
  try {
    await run("umount", [target]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    if (/not mounted|no mount point/.test(err.stderr ?? "")) return;
    await run("umount", ["-l", target]).catch(() => undefined);
  }
}
