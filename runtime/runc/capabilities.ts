/** Linux capabilities by name: the set docker gives a container, all of them in kernel bit order, and those this process holds. */
import { readFileSync } from "node:fs";

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

/**
 * docker's capability names (moby oci/caps NormalizeLegacyCapabilities):
 * upper case, `CAP_` added when missing, `ALL` kept; an unknown one is an error
 * naming it as docker does.
 */
export function normalizeCaps(caps: readonly string[], field: "CapAdd" | "CapDrop"): string[] | { error: string } {
  const out: string[] = [];
  for (const raw of caps) {
    const c = raw.toUpperCase();
    if (c === "ALL") {
      out.push(c);
      continue;
    }
    const name = c.startsWith("CAP_") ? c : `CAP_${c}`;
    if (!CAPS_BY_NUMBER.includes(name)) return { error: `invalid ${field}: unknown capability: "${name}"` };
    out.push(name);
  }
  return out;
}

/**
 * The capability set from docker's defaults and normalized `--cap-add` /
 * `--cap-drop` (moby TweakCapabilities): add ALL gives every capability but
 * the dropped ones; drop ALL gives only the added ones; else the defaults
 * less the dropped plus the added. `all` is every capability this host grants.
 */
export function tweakCaps(add: readonly string[], drop: readonly string[], all: readonly string[]): string[] {
  if (add.includes("ALL")) return all.filter((c) => !drop.includes(c));
  if (drop.includes("ALL")) return [...new Set(add)];
  return [...new Set([...DEFAULT_CAPS.filter((c) => !drop.includes(c)), ...add])];
}

let held: readonly string[] | undefined;

/**
 * The capabilities of this process's bounding set (/proc/self/status CapBnd), by name: all the
 * kernel knows as root on a normal host; fewer in a sandbox that withholds some (a rootless
 * podman container gives 11 or 12). runc cannot grant a container more ("unable to apply caps").
 * Without /proc, docker's defaults.
 */
export function heldCaps(): readonly string[] {
  if (held === undefined) {
    let mask = 0n;
    try {
      const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
      if (m?.[1] !== undefined) mask = BigInt(`0x${m[1]}`);
    } catch {
      // no /proc: docker's defaults below
    }
    const names = CAPS_BY_NUMBER.filter((_, i) => (mask >> BigInt(i)) & 1n);
    held = names.length > 0 ? names : [...DEFAULT_CAPS];
  }
  return held;
}

/** `caps` less those this process does not hold (a RUN in a sandboxed Strata gets what the sandbox gave). */
export function grantable(caps: readonly string[]): string[] {
  const have = new Set(heldCaps());
  return caps.filter((c) => have.has(c));
}

/** Whether this process has `cap` in its effective set (/proc/self/status CapEff). */
export function hasEffective(cap: string): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m?.[1] !== undefined && ((BigInt(`0x${m[1]}`) >> BigInt(CAPS_BY_NUMBER.indexOf(cap))) & 1n) === 1n;
  } catch {
    return true;
  }
}
