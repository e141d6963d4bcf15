import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CgroupSupport, cgroupSupport } from "../../runtime/runc/cgroups.ts";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * `-m/--memory`, `--memory-swap`, `--cpus` and `--pids-limit` reach the
 * container's own cgroup (runc's linux.resources), read inside the container
 * from its /sys/fs/cgroup, in v1 or v2 file names. A controller this host
 * lacks is skipped with a notice, and docker's warning checked instead.
 */
describe("resource limits", () => {
  let root: string;
  let cleanup: () => void;
  let host: CgroupSupport;

  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("limits"));
    host = await cgroupSupport();
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
  });

  /** A cgroup file of the container, v1 (controller dir) or v2 (flat). */
  const cgroupFile = (controller: string, v1: string, v2: string): string => (host.version === 2 ? `/sys/fs/cgroup/${v2}` : `/sys/fs/cgroup/${controller}/${v1}`);
  const read = (flags: string[], file: string) => strata(root, ["run", "--rm", ...flags, "busybox", "cat", file]);

  it("--memory (and the default swap, twice the memory)", ({ skip }) => {
    if (!host.memory) {
      const r = strata(root, ["run", "--rm", "-m", "64m", "busybox", "true"]);
      expect(r.stderr).toContain("WARNING: Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.");
      skip("this host has no memory cgroup controller");
    }
    const mem = read(["-m", "64m"], cgroupFile("memory", "memory.limit_in_bytes", "memory.max"));
    expect(mem.code, mem.stderr).toBe(0);
    expect(mem.stdout.trim()).toBe(String(64 << 20));
    if (!host.swap) return;
    // v1 counts memory and swap together (docker's --memory-swap); v2 counts swap alone.
    const swap = read(["-m", "64m"], cgroupFile("memory", "memory.memsw.limit_in_bytes", "memory.swap.max"));
    expect(swap.stdout.trim()).toBe(String(host.version === 2 ? 64 << 20 : 128 << 20));
    const more = read(["-m", "64m", "--memory-swap", "96m"], cgroupFile("memory", "memory.memsw.limit_in_bytes", "memory.swap.max"));
    expect(more.stdout.trim()).toBe(String(host.version === 2 ? 32 << 20 : 96 << 20));
  });

  it("--pids-limit: the limit is there, and a fork past it fails", ({ skip }) => {
    if (!host.pids) skip("this host has no pids cgroup controller");
    const r = read(["--pids-limit", "20"], cgroupFile("pids", "pids.max", "pids.max"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("20");
    const fork = strata(root, ["run", "--rm", "--pids-limit", "5", "busybox", "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait"]);
    expect(fork.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it("--cpus: the CFS quota over docker's 100ms period", ({ skip }) => {
    if (!host.cpu) skip("this host has no cpu cgroup controller");
    const file = host.version === 2 ? "/sys/fs/cgroup/cpu.max" : "/sys/fs/cgroup/cpu/cpu.cfs_quota_us";
    const r = read(["--cpus", "0.5"], file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(host.version === 2 ? "50000 100000" : "50000");
  });

  it("values out of docker's range are its errors, exit 125", () => {
    const small = strata(root, ["run", "--rm", "-m", "1m", "busybox", "true"]);
    expect(small.code).toBe(125);
    expect(small.stderr).toBe("strata: error[CONTAINER_RESOURCES]: Minimum memory limit allowed is 6MB\n");
    const swap = strata(root, ["run", "--rm", "-m", "64m", "--memory-swap", "32m", "busybox", "true"]);
    expect(swap.stderr).toBe("strata: error[CONTAINER_RESOURCES]: Minimum memoryswap limit should be larger than memory limit, see usage\n");
    const cpus = strata(root, ["run", "--rm", "--cpus", "100000", "busybox", "true"]);
    expect(cpus.code).toBe(125);
    expect(cpus.stderr).toMatch(/^strata: error\[CONTAINER_RESOURCES\]: Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available\n$/);
    const size = strata(root, ["run", "--rm", "--memory", "lots", "busybox", "true"]);
    expect(size.code).toBe(125);
    expect(size.stderr).toBe(`strata: error[USAGE]: invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'\n`);
    const rational = strata(root, ["run", "--rm", "--cpus", "half", "busybox", "true"]);
    expect(rational.stderr).toBe(`strata: error[USAGE]: invalid argument "half" for "--cpus" flag: failed to parse half as a rational number\n`);
  });
});
