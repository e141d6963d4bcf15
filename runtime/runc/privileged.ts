/** What `RUN --security=insecure` (docker's --privileged) needs from the host: its devices and the capabilities it can grant. */
import type { BigIntStats } from "node:fs";
import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { heldCaps } from "./capabilities.ts";

/** A device node of the host, as an OCI `linux.devices` entry needs it. */
export interface HostDevice {
  readonly path: string;
  readonly type: "c" | "b";
  readonly major: number;
  readonly minor: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** Directories of /dev a privileged container gets its own of (as docker's HostDevices skips them). */
const SKIP = new Set(["/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/.lxc", "/dev/.udev", "/dev/console"]);

/** Linux's dev_t encoding (glibc's major/minor macros). */
function majorMinor(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/**
 * Every character and block device under the host's /dev (what
 * `docker run --privileged` and BuildKit's `--security=insecure` give the
 * container), skipping the pseudo-terminal, shm and mqueue directories the
 * container mounts itself.
 */
export async function hostDevices(root = "/dev"): Promise<HostDevice[]> {
  const out: HostDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(dir, name);
      if (SKIP.has(p)) continue;
      let st: BigIntStats;
      try {
        st = await lstat(p, { bigint: true });
      } catch {
        continue;
      }
      if (st.isDirectory()) await walk(p);
      else if (st.isCharacterDevice() || st.isBlockDevice()) {
        out.push({ path: p, type: st.isCharacterDevice() ? "c" : "b", ...majorMinor(st.rdev), mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) });
      }
    }
  };
  await walk(root);
  return out;
}

/** One host device node (following a symlink, as docker's --device does); undefined when `path` is not a device. */
export async function hostDevice(path: string): Promise<HostDevice | undefined> {
  const st = await stat(path, { bigint: true });
  if (!st.isCharacterDevice() && !st.isBlockDevice()) return undefined;
  return { path, type: st.isCharacterDevice() ? "c" : "b", ...majorMinor(st.rdev), mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) };
}

/** The capabilities a privileged container can get from this process: those it holds (capabilities.ts heldCaps). */
export async function boundingCaps(): Promise<string[]> {
  return [...heldCaps()];
}
