/**
 * What confines this process, for the one-line refusal of a mount or namespace that its sandbox
 * withholds (docs/rootless.md): Strata inside a container needs CAP_SYS_ADMIN (of the container's
 * user namespace) and a seccomp, AppArmor or SELinux profile that lets it mount and unshare.
 * Read from /proc/self: CapEff, the Seccomp mode (2: a filter), and the LSM label
 * (attr/apparmor/current, else attr/current). Each finding comes with the podman option, and
 * the Kubernetes securityContext field, that lifts it. Nothing here changes anything.
 */
import { readFileSync } from "node:fs";

/** CAP_SYS_ADMIN's bit in the capability masks (linux/capability.h). */
const CAP_SYS_ADMIN_BIT = 21n;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Whether this process holds CAP_SYS_ADMIN in its effective set; true when /proc cannot tell. */
export function holdsSysAdmin(status = read("/proc/self/status")): boolean {
  const m = status === undefined ? null : /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m?.[1] === undefined || ((BigInt(`0x${m[1]}`) >> CAP_SYS_ADMIN_BIT) & 1n) === 1n;
}

/** The sandboxes a process runs under, each as a phrase and the options that lift it. */
export interface Confinement {
  readonly what: string;
  readonly podman: string;
  readonly kubernetes: string;
}

/** What /proc says confines this process: a seccomp filter, an AppArmor profile, an SELinux label. */
export function confinements(procSelf = "/proc/self"): Confinement[] {
  const out: Confinement[] = [];
  if (/^Seccomp:\s*2$/m.test(read(`${procSelf}/status`) ?? "")) {
    out.push({ what: "a seccomp filter", podman: "--security-opt seccomp=unconfined", kubernetes: "seccompProfile: {type: Unconfined}" });
  }
  const apparmor = read(`${procSelf}/attr/apparmor/current`)?.replace(/\0/g, "").trim();
  const label = apparmor ?? read(`${procSelf}/attr/current`)?.replace(/\0/g, "").trim();
  if (label !== undefined && label !== "" && label !== "unconfined") {
    if (apparmor !== undefined || /\((enforce|complain|kill|unconfined)\)$/.test(label)) {
      out.push({ what: `AppArmor profile ${label}`, podman: "--security-opt apparmor=unconfined", kubernetes: "appArmorProfile: {type: Unconfined}" });
    } else if (label.includes(":")) {
      out.push({ what: `SELinux label ${label}`, podman: "--security-opt label=disable", kubernetes: "seLinuxOptions: {type: spc_t}" });
    }
  }
  return out;
}

/**
 * The end of a refusal message for a mount or unshare the kernel refused (EPERM/EACCES): what to
 * give the container Strata runs in. Undefined when nothing is known to confine this process
 * (the refusal then has another cause, and its own message says which).
 */
export function sandboxHint(found: readonly Confinement[] = confinements(), sysAdmin = holdsSysAdmin(), uid = process.getuid?.() ?? 0): string | undefined {
  if (!sysAdmin && uid !== 0) {
    return `this process (uid ${uid}) lacks CAP_SYS_ADMIN, which mounts and runc's namespaces need, and a capability given to a container reaches only its root: run strata as the container's root (podman --user 0, Kubernetes runAsUser: 0) with --cap-add SYS_ADMIN (docs/rootless.md)`;
  }
  if (!sysAdmin) {
    return "this process lacks CAP_SYS_ADMIN, which mounts and runc's namespaces need: give its container --cap-add SYS_ADMIN (Kubernetes: capabilities.add: [SYS_ADMIN]; docs/rootless.md)";
  }
  if (found.length === 0) return undefined;
  const what = found.map((c) => c.what).join(" and ");
  return `this process holds CAP_SYS_ADMIN and runs under ${what}, which is then what refuses it: run its container with ${found.map((c) => c.podman).join(" ")} (Kubernetes: ${found.map((c) => c.kubernetes).join(", ")}; docs/rootless.md)`;
}
