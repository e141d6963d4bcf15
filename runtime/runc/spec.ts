import type { HostDevice } from "./privileged.ts";
import type { ResolvedUser } from "./user.ts";
import { DEFAULT_CAPS, grantable } from "./capabilities.ts";
import type { OciSeccomp } from "./seccomp.ts";

export interface ExtraMount {
  readonly destination: string;
  readonly source: string;
  readonly type: string;
  readonly options: string[];
}

export interface SpecInput {
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: ResolvedUser;
  readonly hostname: string;
  /** "host" shares the host's network namespace; "none" gives a new one with only loopback (runc brings lo up). */
  readonly network: "host" | "none";
  /** With network "none": join this network namespace (a bind-mounted namespace file, /proc/PID/ns/net) instead of a new one. */
  readonly netnsPath?: string | undefined;
  readonly terminal?: boolean;
  readonly mounts?: readonly ExtraMount[];
  readonly readonlyRootfs?: boolean;
  /**
   * "insecure" is `docker run --privileged` (RUN --security=insecure): every
   * capability, no masked or read-only /proc paths, /sys writable, every
   * host device and a device cgroup that allows them all. Default "sandbox".
   */
  readonly security?: "sandbox" | "insecure";
  /** The capabilities an insecure container gets (privileged.ts boundingCaps); docker's defaults when absent. */
  readonly insecureCaps?: readonly string[];
  /** The host's devices, created in the insecure container's /dev. */
  readonly devices?: readonly HostDevice[];
  /** Bytes of /dev/shm (docker's default: 64 MiB). */
  readonly shmSize?: number | undefined;
  /** process.rlimits, docker's names (nofile): RLIMIT_NOFILE. */
  readonly ulimits?: readonly { readonly name: string; readonly soft: number; readonly hard: number }[] | undefined;
  /** The capability set (bounding, effective, permitted) when given: `run --cap-add/--cap-drop` (container/security.ts). */
  readonly capabilities?: readonly string[] | undefined;
  /** linux.seccomp (runc/seccomp.ts); none: unconfined. */
  readonly seccomp?: OciSeccomp | undefined;
  /** process.noNewPrivileges (`--security-opt no-new-privileges`). */
  readonly noNewPrivileges?: boolean | undefined;
  /** linux.resources limits (`run -m/--memory-swap/--cpus/--pids-limit`): bytes, CFS quota and period in µs, tasks. */
  readonly resources?: ResourceLimits | undefined;
  /** Host devices a sandboxed container gets (`run --device`), each also allowed in its device cgroup. */
  readonly extraDevices?: readonly (HostDevice & { readonly access: string })[] | undefined;
}

export interface ResourceLimits {
  readonly memory?: { readonly limit: number; readonly swap?: number | undefined } | undefined;
  readonly cpu?: { readonly quota: number; readonly period: number } | undefined;
  readonly pids?: { readonly limit: number } | undefined;
}

/**
 * An rlimit value for config.json: -1 is RLIM_INFINITY, 2^64-1, which a JS number cannot hold;
 * JSON.rawJSON writes it exactly (runc reads rlimits as uint64).
 */
function rlimit(n: number): unknown {
  return n < 0 ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON("18446744073709551615") : n;
}

/** An OCI runtime config (config.json) for runc. */
export function runtimeSpec(s: SpecInput): Record<string, unknown> {
  const insecure = s.security === "insecure";
  const namespaces: { type: string; path?: string }[] = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (s.network === "none") namespaces.push(s.netnsPath !== undefined ? { type: "network", path: s.netnsPath } : { type: "network" });
  const sysOpts = ["nosuid", "noexec", "nodev", insecure ? "rw" : "ro"];
  const sysfs =
    s.network === "none"
      ? { destination: "/sys", type: "sysfs", source: "sysfs", options: sysOpts }
      : { destination: "/sys", type: "bind", source: "/sys", options: ["rbind", ...sysOpts] };
  // Never more than this process holds: in a sandbox (a rootless podman container) runc could not grant them.
  const caps = grantable(s.capabilities !== undefined ? s.capabilities : insecure ? (s.insecureCaps ?? DEFAULT_CAPS) : DEFAULT_CAPS);
  const devices = insecure ? (s.devices ?? []) : (s.extraDevices ?? []);
  // The device cgroup: a privileged container may use every device, a sandboxed one its --device ones besides runc's defaults.
  const deviceRules = insecure ? [{ allow: true, access: "rwm" }] : (s.extraDevices ?? []).map((d) => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: d.access }));
  const resources = { ...(deviceRules.length > 0 && { devices: deviceRules }), ...s.resources };
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: s.terminal ?? false,
      user: { uid: s.user.uid, gid: s.user.gid, additionalGids: s.user.additionalGids },
      args: s.args,
      env: s.env,
      cwd: s.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: s.noNewPrivileges ?? false,
      ...(s.ulimits !== undefined && s.ulimits.length > 0 && { rlimits: s.ulimits.map((u) => ({ type: `RLIMIT_${u.name.toUpperCase()}`, soft: rlimit(u.soft), hard: rlimit(u.hard) })) }),
    },
    root: { path: s.rootfs, readonly: s.readonlyRootfs ?? false },
    hostname: s.hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", `size=${s.shmSize !== undefined ? `${s.shmSize}` : "65536k"}`] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      sysfs,
      ...(s.mounts ?? []),
    ],
    linux: {
      namespaces,
      ...(s.seccomp !== undefined && { seccomp: s.seccomp }),
      maskedPaths: insecure ? [] : ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
      readonlyPaths: insecure ? [] : ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
      ...(devices.length > 0 && { devices: devices.map(ociDevice) }),
      ...(Object.keys(resources).length > 0 && { resources }),
    },
  };
}

function ociDevice(d: HostDevice): Record<string, unknown> {
  return { path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.mode, uid: d.uid, gid: d.gid };
}
