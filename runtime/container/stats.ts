/**
 * A running container's resource use, as `docker stats` shows it, read from the kernel: the
 * cgroups runc put its init process in (/proc/PID/cgroup: cgroup v2's unified files, or v1's
 * per-controller ones) and, when it has a network namespace of its own, its interfaces'
 * counters (/proc/PID/net/dev, loopback left out; a container on the host's network has none
 * of its own, as docker shows 0B for one).
 *
 * | what | cgroup v2 | cgroup v1 |
 * | --- | --- | --- |
 * | CPU time | cpu.stat usage_usec | cpuacct.usage |
 * | memory | memory.current − inactive_file, limit memory.max | memory.usage_in_bytes − total_inactive_file, limit memory.limit_in_bytes |
 * | block I/O | io.stat rbytes, wbytes | blkio.throttle.io_service_bytes_recursive Read, Write |
 * | PIDs | pids.current | pids.current |
 *
 * A limit above the machine's memory (none set) is the machine's memory, as docker reports it.
 */
import { readFile, readlink, statfs } from "node:fs/promises";
import { totalmem } from "node:os";
import { join } from "node:path";

export interface StatsSample {
  /** When it was taken (ms, monotonic enough: Date.now). */
  readonly at: number;
  /** CPU time used so far, nanoseconds. */
  readonly cpuNs: number;
  readonly memory: number;
  readonly memoryLimit: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly netRx: number;
  readonly netTx: number;
  readonly pids: number;
}

const ROOT = "/sys/fs/cgroup";
const CGROUP2_SUPER_MAGIC = 0x63677270;

const read = (p: string): Promise<string> => readFile(p, "utf8").catch(() => "");
const num = (text: string): number => {
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : 0;
};

/** `key value` lines (cpu.stat, memory.stat) as a map. */
function keyed(text: string): Map<string, number> {
  return new Map(text.split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 2).map(([k, v]) => [k as string, Number(v)]));
}

/** The process's cgroup per controller ("" for v2's unified line). */
async function cgroupsOf(pid: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of (await read(`/proc/${pid}/cgroup`)).split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m !== null) for (const c of (m[1] as string).split(",")) out.set(c, m[2] as string);
  }
  return out;
}

async function unified(): Promise<boolean> {
  return statfs(ROOT).then((s) => s.type === CGROUP2_SUPER_MAGIC, () => false);
}

async function netCounters(pid: number): Promise<{ rx: number; tx: number }> {
  const [own, theirs] = await Promise.all([readlink("/proc/self/ns/net").catch(() => ""), readlink(`/proc/${pid}/ns/net`).catch(() => "")]);
  let rx = 0;
  let tx = 0;
  if (theirs === "" || own === theirs) return { rx, tx };
  for (const line of (await read(`/proc/${pid}/net/dev`)).split("\n").slice(2)) {
    const [name, rest] = line.split(":");
    if (rest === undefined || name?.trim() === "lo") continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}

async function v2(dir: string): Promise<Omit<StatsSample, "at" | "netRx" | "netTx">> {
  const [cpu, current, max, stat, io, pids] = await Promise.all(["cpu.stat", "memory.current", "memory.max", "memory.stat", "io.stat", "pids.current"].map((f) => read(join(dir, f))));
  let blockRead = 0;
  let blockWrite = 0;
  for (const m of (io as string).matchAll(/\b(rbytes|wbytes)=(\d+)/g)) {
    if (m[1] === "rbytes") blockRead += Number(m[2]);
    else blockWrite += Number(m[2]);
  }
  const limit = (max as string).trim() === "max" ? Number.POSITIVE_INFINITY : num(max as string);
  return {
    cpuNs: (keyed(cpu as string).get("usage_usec") ?? 0) * 1000,
    memory: Math.max(0, num(current as string) - (keyed(stat as string).get("inactive_file") ?? 0)),
    memoryLimit: Math.min(limit, totalmem()),
    blockRead,
    blockWrite,
    pids: num(pids as string),
  };
}

async function v1(groups: Map<string, string>): Promise<Omit<StatsSample, "at" | "netRx" | "netTx">> {
  const dir = (controller: string): string => join(ROOT, controller, groups.get(controller) ?? "/");
  const [usage, memUsage, memLimit, memStat, blkio, pids] = await Promise.all([
    read(join(dir("cpuacct"), "cpuacct.usage")),
    read(join(dir("memory"), "memory.usage_in_bytes")),
    read(join(dir("memory"), "memory.limit_in_bytes")),
    read(join(dir("memory"), "memory.stat")),
    read(join(dir("blkio"), "blkio.throttle.io_service_bytes_recursive")),
    read(join(dir("pids"), "pids.current")),
  ]);
  let blockRead = 0;
  let blockWrite = 0;
  for (const line of blkio.split("\n")) {
    const [, op, value] = line.trim().split(/\s+/);
    if (op === "Read") blockRead += Number(value);
    else if (op === "Write") blockWrite += Number(value);
  }
  return {
    cpuNs: num(usage),
    memory: Math.max(0, num(memUsage) - (keyed(memStat).get("total_inactive_file") ?? 0)),
    memoryLimit: Math.min(num(memLimit) || Number.POSITIVE_INFINITY, totalmem()),
    blockRead,
    blockWrite,
    pids: num(pids),
  };
}

/** One sample of the container whose init process is `pid`. */
export async function sampleStats(pid: number): Promise<StatsSample> {
  const groups = await cgroupsOf(pid);
  const [cg, net] = await Promise.all([(await unified()) ? v2(join(ROOT, groups.get("") ?? "/")) : v1(groups), netCounters(pid)]);
  return { at: Date.now(), ...cg, netRx: net.rx, netTx: net.tx };
}

/** docker's CPU %: CPU time used between two samples over the time between them (100% is one CPU busy). */
export function cpuPercent(before: StatsSample, after: StatsSample): number {
  const wallNs = (after.at - before.at) * 1e6;
  return wallNs <= 0 ? 0 : (Math.max(0, after.cpuNs - before.cpuNs) / wallNs) * 100;
}
