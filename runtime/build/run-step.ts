import { lstat, readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import type { RunOp } from "../../compiler/ir/graph.ts";
import { envLookup } from "../../compiler/ir/env.ts";
import { secureJoin } from "../fs/secure-join.ts";
import { runContainer } from "../runc/runc.ts";
import { failedIndex, mergedArgv } from "./merged-run.ts";
import type { StepSources } from "./sources.ts";
import { type ExtraMount, runtimeSpec } from "../runc/spec.ts";
import { resolveUser } from "../runc/user.ts";
import type { ActiveSnapshot } from "../snapshot/overlay.ts";

export interface RunStepOptions {
  readonly runcRoot: string;
  readonly snapshot: ActiveSnapshot;
  readonly op: RunOp;
  readonly sources: StepSources;
  readonly onOutput: (chunk: Buffer, stream: "stdout" | "stderr") => void;
}

export interface RunStepFailure {
  /** Index into op.commands of the command that failed. */
  readonly command: number;
  readonly exitCode: number;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Paths runc creates as mount points; those missing before the run are removed from the layer after it. */
const MOUNT_POINTS = ["proc", "dev", "sys", "etc/hosts", "etc/resolv.conf", "etc"];

/**
 * Runs a RUN layer's commands one after another in the mounted snapshot,
 * each under `runc run`, stopping at the first that fails. Returns undefined
 * on success.
 */
export async function runStep(o: RunStepOptions): Promise<RunStepFailure | undefined> {
  const rootfs = o.snapshot.merged;
  const user = await resolveUser(rootfs, o.op.user);
  const created: string[] = [];
  for (const p of MOUNT_POINTS) if (!(await exists(join(rootfs, p)))) created.push(p);
  // The working directory exists for the command, as in docker (it becomes part of the layer).
  await import("node:fs/promises").then(async ({ mkdir }) => mkdir(await secureJoin(rootfs, o.op.cwd), { recursive: true }));
  const mounts: ExtraMount[] = [];
  if (o.op.network !== "none") {
    mounts.push({ destination: "/etc/resolv.conf", source: "/etc/resolv.conf", type: "bind", options: ["rbind", "ro"] });
    mounts.push({ destination: "/etc/hosts", source: "/etc/hosts", type: "bind", options: ["rbind", "ro"] });
  }
  let env = [...o.op.env];
  if (envLookup(env, "HOME") === undefined) env = [...env, `HOME=${user.home}`];
  const merged = o.op.commands.length > 1;
  const args = merged ? mergedArgv(o.op.commands) : (o.op.commands[0]?.args ?? []);
  let report = "";
  try {
    const spec = runtimeSpec({ rootfs, args, env, cwd: o.op.cwd, user, hostname: "strata", network: o.op.network === "none" ? "none" : "host", mounts });
    const code = await runContainer({
      runcRoot: o.runcRoot,
      id: `strata-${o.snapshot.id}`,
      bundle: join(o.snapshot.dir, "bundle"),
      spec,
      onOutput: o.onOutput,
      ...(merged && { onReport: (t: string) => (report += t) }),
    });
    if (code === 0) return undefined;
    return { command: merged ? (failedIndex(report) ?? 0) : 0, exitCode: code };
  } finally {
    await removeMountPoints(o.snapshot.upper, created);
  }
}

/** Removes mount points runc had to create, when they are still empty (BuildKit does the same). */
async function removeMountPoints(upper: string, created: readonly string[]): Promise<void> {
  for (const p of created) {
    const full = join(upper, p);
    try {
      const st = await lstat(full);
      if (st.isDirectory()) {
        if ((await readdir(full)).length === 0) await rmdir(full);
      } else if (st.isFile() && st.size === 0) await rm(full);
    } catch {
      // not there: nothing to remove
    }
  }
}
