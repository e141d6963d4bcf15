/**
 * Mounting and unmounting what a snapshotter hands out as data (MountSpec): kernel overlayfs and
 * bind mounts through mount(8), fuse-overlayfs through its own binary (a FUSE daemon that forks
 * off once the mount is up), unmounted with umount(8), or fusermount3/fusermount where umount
 * may not (a FUSE mount of an ordinary user's).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { StrataError } from "../errors/error.ts";
import { sandboxHint } from "./confinement.ts";

/** execFile as a promise, made on first use (child_process is loaded only by what runs a program). */
const run = (file: string, args: readonly string[], options: { cwd?: string } = {}) => promisify(execFile)(file, args, options);

/** A mount as data (containerd style): the snapshotter returns these, callers mount them. */
export interface MountSpec {
  /** `fuse-overlayfs`: the same lowerdir/upperdir/workdir options, mounted by the fuse-overlayfs binary. */
  readonly type: "overlay" | "bind" | "fuse-overlayfs";
  readonly source: string;
  readonly options: readonly string[];
  /** Directory the option paths are relative to (keeps overlay's option string short). */
  readonly cwd?: string;
}

/** The program and arguments that mount `m` on `target`. */
function mountCommand(m: MountSpec, target: string): [string, string[]] {
  const options = m.options.length === 0 ? [] : ["-o", m.options.join(",")];
  if (m.type === "fuse-overlayfs") return ["fuse-overlayfs", [...options, target]];
  if (m.type === "bind") return ["mount", ["--bind", ...options, m.source, target]];
  return ["mount", ["-t", m.type, ...options, m.source, target]];
}

export async function mount(m: MountSpec, target: string): Promise<void> {
  const [file, args] = mountCommand(m, target);
  try {
    await run(file, args, m.cwd === undefined ? {} : { cwd: m.cwd });
  } catch (e) {
    throw mountError(m, target, e as { stderr?: string; message: string });
  }
}

/**
 * mount(8)'s failure as one line (without its "dmesg(1) may have more information" line). A
 * refusal (EPERM, EACCES) where a sandbox is known to confine this process is ENV_SANDBOX, exit 2,
 * naming the container option that lifts it (confinement.ts).
 */
function mountError(m: MountSpec, target: string, err: { stderr?: string; message: string }): StrataError {
  const lines = (err.stderr || err.message).split("\n").map((l) => l.trim());
  const why = lines.filter((l) => l !== "" && !l.startsWith("dmesg(1)")).join(" ").replace(/\.$/, "");
  const hint = /permission denied|operation not permitted/i.test(why) ? sandboxHint() : undefined;
  if (hint === undefined) return new StrataError("MOUNT_FAILED", `mount ${m.type} on ${target} failed: ${why}`);
  return new StrataError("ENV_SANDBOX", `mount ${m.type} on ${target} was refused (${why}); ${hint}`);
}

export async function unmount(target: string): Promise<void> {
  try {
    await run("umount", [target]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    if (/not mounted|no mount point/.test(err.stderr ?? "")) return;
    // A FUSE mount an ordinary user made: its own unmount helper may, where umount may not.
    for (const helper of ["fusermount3", "fusermount"]) {
      if (await run(helper, ["-u", target]).then(() => true, () => false)) return;
    }
    await run("umount", ["-l", target]).catch(() => undefined);
  }
}
