import type { HostDevice } from "./privileged.ts";
import type { ResolvedUser } from "./user.ts";

/** docker's default capability set for containers and RUN steps. */
export const DEFAULT_CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

/** Every capability by number (linux/capability.h). */
export const CAPS_BY_NUMBER = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
  "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
  "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
  "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
];

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
}

/** An OCI runtime config (config.json) for runc. */
export function runtimeSpec(s: SpecInput): Record<string, unknown> {
  const insecure = s.security === "insecure";
  const namespaces = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (s.network === "none") namespaces.push({ type: "network" });
  const sysOpts = ["nosuid", "noexec", "nodev", insecure ? "rw" : "ro"];
  const sysfs =
    s.network === "none"
      ? { destination: "/sys", type: "sysfs", source: "sysfs", options: sysOpts }
      : { destination: "/sys", type: "bind", source: "/sys", options: ["rbind", ...sysOpts] };
  const caps = insecure ? [...(s.insecureCaps ?? DEFAULT_CAPS)] : DEFAULT_CAPS;
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: s.terminal ?? false,
      user: { uid: s.user.uid, gid: s.user.gid, additionalGids: s.user.additionalGids },
      args: s.args,
      env: s.env,
      cwd: s.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: false,
    },
    root: { path: s.rootfs, readonly: s.readonlyRootfs ?? false },
    hostname: s.hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      sysfs,
      ...(s.mounts ?? []),
    ],
    linux: {
      namespaces,
      ...(insecure
        ? {
            maskedPaths: [],
            readonlyPaths: [],
            devices: (s.devices ?? []).map((d) => ({ path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.mode, uid: d.uid, gid: d.gid })),
            resources: { devices: [{ allow: true, access: "rwm" }] },
          }
        : {
            maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
          }),
    },
  };
}
