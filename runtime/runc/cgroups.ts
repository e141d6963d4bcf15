import { constants } from "node:fs";
import { access, readFile, statfs } from "node:fs/promises";
import { join } from "node:path";
import { exists } from "../fs/exists.ts";
import { inUserNamespace } from "../fs/userns.ts";

/**
 * What resource limits this host can apply to a container: runc sets
 * `linux.resources` through the cgroup filesystem, v2 (unified: /sys/fs/cgroup
 * is cgroup2) or v1 (a hierarchy per controller under /sys/fs/cgroup). runc
 * nests a container's cgroup under the cgroup of the process that starts it,
 * so a controller counts as available when that cgroup has it: in v2 when its
 * cgroup.controllers lists it, in v1 when the controller's hierarchy is mounted
 * and has the limit file (swap: memory.memsw.*, present only with swap accounting;
 * pids: the hierarchy, as a root cgroup has no pids.max).
 */
export interface CgroupSupport {
  readonly version: 1 | 2;
  readonly memory: boolean;
  readonly swap: boolean;
  readonly cpu: boolean;
  readonly pids: boolean;
  /**
   * Whether runc can make a container's cgroup at all: always as root in the initial namespace;
   * in a user namespace (rootless) only in a cgroup2 tree delegated to the user (writable, as
   * systemd's Delegate=yes gives), else runc manages no cgroups and sets no limits.
   */
  readonly delegated: boolean;
}

const CGROUP2_SUPER_MAGIC = 0x63677270;
const ROOT = "/sys/fs/cgroup";


/** This process's cgroup per controller ("" for v2's unified line), from /proc/self/cgroup. */
async function ownCgroups(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await readFile("/proc/self/cgroup", "utf8").catch(() => "");
  for (const line of text.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m === null) continue;
    for (const c of (m[1] as string).split(",")) out.set(c, m[2] as string);
  }
  return out;
}

export async function cgroupSupport(): Promise<CgroupSupport> {
  const own = await ownCgroups();
  const unified = await statfs(ROOT).then(
    (s) => s.type === CGROUP2_SUPER_MAGIC,
    () => false,
  );
  if (unified) {
    const dir = join(ROOT, own.get("") ?? "/");
    const controllers = new Set((await readFile(join(dir, "cgroup.controllers"), "utf8").catch(() => "")).trim().split(/\s+/));
    // memory.swap.max exists in every non-root cgroup when the kernel accounts swap.
    const swap = controllers.has("memory") && ((await exists(join(dir, "memory.swap.max"))) || (await exists(join(dir, "memory.swap.current"))) || dir === ROOT);
    const delegated = !inUserNamespace() || (await access(dir, constants.W_OK).then(
      () => true,
      () => false,
    ));
    return { version: 2, memory: controllers.has("memory"), swap, cpu: controllers.has("cpu"), pids: controllers.has("pids"), delegated };
  }
  const v1 = (controller: string, file: string): Promise<boolean> => exists(join(ROOT, controller, own.get(controller) ?? "/", file));
  return {
    version: 1,
    memory: await v1("memory", "memory.limit_in_bytes"),
    swap: await v1("memory", "memory.memsw.limit_in_bytes"),
    cpu: await v1("cpu", "cpu.cfs_quota_us"),
    // The root pids cgroup has no pids.max: its hierarchy being mounted is what counts (as docker's sysinfo checks).
    pids: await v1("pids", "cgroup.procs"),
    // cgroup v1 is never delegated to a user namespace.
    delegated: !inUserNamespace(),
  };
}
