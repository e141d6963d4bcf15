import type { Command } from "commander";
import { parseSize } from "../../../compiler/dockerfile/instructions/mount.ts";
import type { HostConfig } from "../../container/host-config.ts";
import { collect } from "../options.ts";
import { invalid, parseUlimit } from "../run-flags.ts";

/**
 * `run`/`create` resource flags, parsed as docker's CLI parses them:
 * `-m/--memory` and `--memory-swap` (go-units RAMInBytes; swap -1 is
 * unlimited), `--cpus` (a decimal number of CPUs, docker's NanoCPUs),
 * `--pids-limit` and `--ulimit`. What the host's cgroups can apply is checked
 * at create (container/host-config.ts).
 */
export interface LimitFlags {
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  pidsLimit?: string;
  ulimit: string[];
}

function bytes(flag: string): (value: string) => number {
  return (value) => {
    const n = parseSize(value);
    if (n === undefined) throw invalid(flag, value, `invalid size: '${value}'`);
    return n;
  };
}

function swapBytes(value: string): number {
  return value === "-1" ? -1 : bytes("--memory-swap")(value);
}

/** docker's NanoCPUs: a rational number of CPUs, at most nine decimals. */
function nanoCpus(value: string): number {
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(value.trim())) throw invalid("--cpus", value, `failed to parse ${value} as a rational number`);
  const nano = Number(value) * 1e9;
  if (!Number.isInteger(Math.round(nano * 1e3) / 1e3)) throw invalid("--cpus", value, "value is too precise");
  return Math.round(nano);
}

function pids(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw invalid("--pids-limit", value, `strconv.ParseInt: parsing "${value}": invalid syntax`);
  return Number(value);
}

/** A repeated --ulimit of one name replaces the earlier one. */
function ulimits(values: readonly string[]): { name: string; soft: number; hard: number }[] {
  const out: { name: string; soft: number; hard: number }[] = [];
  for (const v of values) {
    const u = parseUlimit(v);
    out.splice(0, out.length, ...out.filter((p) => p.name !== u.name), u);
  }
  return out;
}

export function addLimitFlags(c: Command): Command {
  return c
    .option("-m, --memory <bytes>", "memory limit (6m or more; b, k, m, g suffixes)")
    .option("--memory-swap <bytes>", "memory plus swap limit; -1 unlimited swap (default: twice --memory)")
    .option("--cpus <number>", "number of CPUs (CFS quota)")
    .option("--pids-limit <n>", "tune the container's pids limit (-1 unlimited)")
    .option("--ulimit <name=soft[:hard]>", "a resource limit (nofile=1024:2048, -1 unlimited); repeatable", collect, []);
}

/** The flags as HostConfig fields; a malformed value is USAGE in docker's words (exit 125 in run). */
export function limitHostConfig(f: LimitFlags): HostConfig {
  const u = ulimits(f.ulimit);
  return {
    ...(f.memory !== undefined && { memory: bytes("-m, --memory")(f.memory) }),
    ...(f.memorySwap !== undefined && { memorySwap: swapBytes(f.memorySwap) }),
    ...(f.cpus !== undefined && { nanoCpus: nanoCpus(f.cpus) }),
    ...(f.pidsLimit !== undefined && { pidsLimit: pids(f.pidsLimit) }),
    ...(u.length > 0 && { ulimits: u }),
  };
}
