/**
 * `top`: the container's processes as `ps` prints them, as docker's daemon does it
 * (moby daemon/top_unix.go): `ps` with the given options (default `-ef`) runs on the host, and
 * only the lines whose PID column is one of the container's processes (`runc ps`) are kept,
 * each cut into the header's columns, the last one taking the rest of the line.
 */
import { execFile } from "node:child_process";
import { StrataError } from "../errors/error.ts";
import type { Store } from "../store/store.ts";
import { ContainerStateError } from "./lifecycle.ts";
import { runc } from "./runc-ops.ts";
import { type ContainerRecord, runcId } from "./state.ts";
import { containerStatus, isRunning } from "./status.ts";

export interface ProcessList {
  readonly titles: readonly string[];
  readonly processes: readonly (readonly string[])[];
}

/** ps's output reduced to the processes `pids` names (docker's parsePSOutput). */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): ProcessList {
  const lines = output.split("\n");
  const titles = (lines[0] ?? "").trim().split(/\s+/).filter((t) => t !== "");
  const pidIndex = titles.indexOf("PID");
  if (pidIndex < 0) throw new StrataError("TOP_PS", "Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/).filter((f) => f !== "");
    if (fields.length === 0) continue;
    const pid = Number(fields[pidIndex]);
    if (!Number.isInteger(pid)) throw new StrataError("TOP_PS", `Unexpected pid '${fields[pidIndex]}' in ps output`);
    if (pids.has(pid)) processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(" ")]);
  }
  return { titles, processes };
}

function ps(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ps", args, { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err === null) return resolve(stdout);
      const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "ps is not installed (Debian's procps)" : (stderr.trim() || err.message);
      reject(new StrataError("TOP_PS", `ps ${args.join(" ")} failed: ${why}`));
    });
  });
}

export async function containerTop(store: Store, rec: ContainerRecord, psArgs: readonly string[]): Promise<ProcessList> {
  if (!isRunning(await containerStatus(store, rec))) throw new ContainerStateError(`container ${rec.name} is not running`);
  const r = await runc(store.layout.runc, ["ps", "--format", "json", runcId(rec.id)]);
  if (r.code !== 0) throw new ContainerStateError(`cannot list the processes of container ${rec.name}: ${r.stderr.trim()}`);
  const pids = new Set((JSON.parse(r.stdout) as number[] | null) ?? []);
  return parsePsOutput(await ps(psArgs.length > 0 ? psArgs : ["-ef"]), pids);
}
