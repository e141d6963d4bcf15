import { availableParallelism } from "node:os";
import { access, chmod, constants, lstat, mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { normalizeCaps } from "../runc/capabilities.ts";
import { cgroupSupport } from "../runc/cgroups.ts";
import { hostDevice } from "../runc/privileged.ts";
import type { SeccompProfile } from "../runc/seccomp.ts";
import { StrataError } from "../errors/error.ts";
import { checkVolumeName } from "./volumes.ts";

/**
 * What `run`/`create` set of a container beyond its process, docker's
 * HostConfig: mounts (`--mount`, `--tmpfs`), a read-only rootfs, capabilities,
 * privileged mode, seccomp and no-new-privileges, cgroup limits, `--init`,
 * ulimits and devices. Kept on the container record (optional: records of
 * older strata have none) and turned into the runc spec at each start
 * (host-spec.ts). `prepareHostConfig` checks it at create, as docker's daemon
 * does: unknown capabilities, missing devices or bind sources and out-of-range
 * limits are errors; a limit the host's cgroups cannot apply is dropped with
 * docker's warning.
 */
export interface BindHostMount {
  readonly type: "bind";
  readonly source: string;
  readonly target: string;
  readonly readonly: boolean;
  readonly propagation?: string | undefined;
  readonly nonRecursive?: boolean | undefined;
}

export interface VolumeHostMount {
  readonly type: "volume";
  /** The volume's name (a random 64 hex for an anonymous one). */
  readonly source: string;
  readonly target: string;
  readonly readonly: boolean;
  readonly anonymous?: boolean | undefined;
  readonly noCopy?: boolean | undefined;
}

export interface TmpfsHostMount {
  readonly type: "tmpfs";
  readonly target: string;
  /** mount(8) options after docker's defaults (nosuid,nodev,noexec): size=, mode=, exec, … */
  readonly options: readonly string[];
  readonly readonly?: boolean | undefined;
}

export type HostMount = BindHostMount | VolumeHostMount | TmpfsHostMount;

export interface DeviceMapping {
  readonly pathOnHost: string;
  readonly pathInContainer: string;
  /** r, w, m as docker's cgroup permissions. */
  readonly permissions: string;
}

export interface HostConfig {
  readonly mounts?: readonly HostMount[] | undefined;
  readonly readonlyRootfs?: boolean | undefined;
  readonly privileged?: boolean | undefined;
  /** Normalized capability names (CAP_…, or ALL). */
  readonly capAdd?: readonly string[] | undefined;
  readonly capDrop?: readonly string[] | undefined;
  /** Absent: the default profile (runc/seccomp.ts). */
  readonly seccomp?: "unconfined" | { readonly profile: SeccompProfile } | undefined;
  readonly noNewPrivileges?: boolean | undefined;
  /** Bytes. */
  readonly memory?: number | undefined;
  /** Memory plus swap in bytes, as docker counts it; -1 unlimited swap. */
  readonly memorySwap?: number | undefined;
  /** CPUs in billionths (docker's NanoCpus). */
  readonly nanoCpus?: number | undefined;
  /** Tasks; 0 or less is unlimited. */
  readonly pidsLimit?: number | undefined;
  readonly init?: boolean | undefined;
  readonly ulimits?: readonly { readonly name: string; readonly soft: number; readonly hard: number }[] | undefined;
  readonly devices?: readonly DeviceMapping[] | undefined;
}

/** docker's minimum memory limit (daemon linuxMinMemory). */
const MIN_MEMORY = 6 * 1024 * 1024;

function usage(message: string): StrataError {
  return new StrataError("CONTAINER_USAGE", message);
}

/** The static init `--init` runs as PID 1: docker's is tini (docker-init); Debian's tini package ships tini-static. */
export async function initBinary(): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  for (const name of ["docker-init", "tini-static"]) {
    for (const dir of [...dirs, "/usr/bin", "/usr/local/bin", "/usr/libexec/docker"]) {
      const p = join(dir, name);
      if (await access(p, constants.X_OK).then(() => true, () => false)) return p;
    }
  }
  return undefined;
}

/** The checked HostConfig: errors as docker's daemon gives them, and what the host cannot limit dropped with docker's warning. */
export async function prepareHostConfig(hc: HostConfig, warn: (message: string) => void): Promise<HostConfig> {
  const capAdd = normalizeCaps(hc.capAdd ?? [], "CapAdd");
  if ("error" in capAdd) throw usage(capAdd.error);
  const capDrop = normalizeCaps(hc.capDrop ?? [], "CapDrop");
  if ("error" in capDrop) throw usage(capDrop.error);
  for (const m of hc.mounts ?? []) {
    if (m.type === "bind" && (await lstat(m.source).catch(() => undefined)) === undefined) throw usage(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
    if (m.type === "volume" && !m.anonymous) checkVolumeName(m.source);
  }
  for (const d of hc.devices ?? []) {
    let dev: Awaited<ReturnType<typeof hostDevice>>;
    try {
      dev = await hostDevice(d.pathOnHost);
    } catch (e) {
      throw usage(`error gathering device information while adding custom device "${d.pathOnHost}": ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
    }
    if (dev === undefined) throw usage(`error gathering device information while adding custom device "${d.pathOnHost}": not a device node`);
  }
  if (hc.init && (await initBinary()) === undefined) throw new StrataError("CONTAINER_INIT_MISSING", "--init needs docker-init or tini-static on the PATH: install Debian's tini package");
  return { ...hc, capAdd, capDrop, ...(await checkResources(hc, warn)) };
}

/** Memory, swap, CPUs and pids as docker's daemon checks and defaults them, against what this host's cgroups can do. */
async function checkResources(hc: HostConfig, warn: (message: string) => void): Promise<Pick<HostConfig, "memory" | "memorySwap" | "nanoCpus" | "pidsLimit">> {
  let { memory, memorySwap, nanoCpus, pidsLimit } = hc;
  if (memory === undefined && memorySwap === undefined && nanoCpus === undefined && pidsLimit === undefined) return {};
  if (memory !== undefined && memory > 0 && memory < MIN_MEMORY) throw new StrataError("CONTAINER_RESOURCES", "Minimum memory limit allowed is 6MB");
  if (memorySwap !== undefined && memorySwap > 0 && !(memory !== undefined && memory > 0)) throw new StrataError("CONTAINER_RESOURCES", "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (memory !== undefined && memory > 0 && memorySwap !== undefined && memorySwap > 0 && memorySwap < memory) throw new StrataError("CONTAINER_RESOURCES", "Minimum memoryswap limit should be larger than memory limit, see usage");
  const cpus = availableParallelism();
  if (nanoCpus !== undefined && (nanoCpus < 0 || nanoCpus > cpus * 1e9)) throw new StrataError("CONTAINER_RESOURCES", `Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  const host = await cgroupSupport();
  if (!host.delegated) {
    const flag = memory !== undefined ? "--memory" : memorySwap !== undefined ? "--memory-swap" : nanoCpus !== undefined ? "--cpus" : "--pids-limit";
    throw new StrataError("CONTAINER_RESOURCES", `${flag} needs a cgroup delegated to this user, and rootless Strata has none here (cgroup v${host.version}${host.version === 2 ? ", not writable" : ""}): drop the limit, run as root, or delegate a cgroup v2 subtree to the user (systemd Delegate=yes)`);
  }
  if (memory !== undefined && memory > 0) {
    if (!host.memory) {
      warn("Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.");
      memory = undefined;
      memorySwap = undefined;
    } else if (!host.swap) {
      if (memorySwap !== undefined && memorySwap !== 0) warn("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.");
      memorySwap = undefined;
    } else if (memorySwap === undefined || memorySwap === 0) memorySwap = memory * 2;
  }
  if (nanoCpus !== undefined && nanoCpus > 0 && !host.cpu) throw new StrataError("CONTAINER_RESOURCES", "NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted");
  if (pidsLimit !== undefined && pidsLimit > 0 && !host.pids) {
    warn("Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.");
    pidsLimit = undefined;
  }
  return { memory, memorySwap, nanoCpus, pidsLimit };
}

/** The mount points a container's init layer must have for these mounts: files for file binds and the init binary, dirs for the rest. */
export async function hostMountPoints(hc: HostConfig | undefined): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const m of hc?.mounts ?? []) {
    const isFile = m.type === "bind" && !(await lstat(m.source)).isDirectory();
    (isFile ? files : dirs).push(m.target);
  }
  if (hc?.init) files.push(INIT_PATH);
  return { files, dirs };
}

/** Where docker puts its init in the container. */
export const INIT_PATH = "/sbin/docker-init";

/**
 * A tmpfs with `mode=` gets its mount point made with that mode in the init
 * layer: runc gives a tmpfs the mode of the directory it is mounted on, and
 * the init layer's directory is the one the container sees (it is the
 * topmost lower dir), whether or not the image has the directory too.
 */
export async function setMountPointModes(initDir: string, hc: HostConfig | undefined): Promise<void> {
  for (const m of hc?.mounts ?? []) {
    if (m.type !== "tmpfs") continue;
    const mode = m.options.find((o) => o.startsWith("mode="));
    if (mode === undefined) continue;
    const dir = join(initDir, m.target);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await chmod(dir, Number.parseInt(mode.slice(5), 8));
  }
}
