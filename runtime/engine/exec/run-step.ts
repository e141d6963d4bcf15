import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { RunOp, SourceRef } from "../../../compiler/ir/graph.ts";
import { envLookup, envSet } from "../../../compiler/ir/env.ts";
import { runContainer } from "../../runc/runc.ts";
import { boundingCaps, hostDevices } from "../../runc/privileged.ts";
import { DEFAULT_CAPS } from "../../runc/capabilities.ts";
import { seccompFor } from "../../runc/seccomp.ts";
import { type ExtraMount, runtimeSpec } from "../../runc/spec.ts";
import { resolveUser } from "../../runc/user.ts";
import type { OverlayActiveSnapshot } from "../../snapshot/overlay.ts";
import type { ErrorCode } from "../../errors/catalogue.ts";
import { StrataError } from "../../errors/error.ts";
import { StepError } from "../../errors/step-error.ts";
import { PIPES_DIR, prepareCommand } from "./run/heredocs.ts";
import { type PreparedMounts, prepareMounts } from "./run/mounts.ts";
import { networkFiles, networkMode, SANDBOX_HOSTNAME } from "./run/network.ts";
import { Scratch } from "./run/scratch.ts";
import { MountStubs } from "./run/stubs.ts";
import { ensureWorkdir } from "./run/workdir.ts";
import type { StepSources } from "./step-sources.ts";

export interface RunStepOptions {
  readonly runcRoot: string;
  readonly snapshot: OverlayActiveSnapshot;
  readonly op: RunOp;
  readonly sources: StepSources;
  readonly onOutput: (chunk: Buffer, stream: "stdout" | "stderr") => void;
}

export interface RunStepFailure {
  readonly exitCode: number;
}

/**
 * Runs a RUN step's command in the mounted snapshot under `runc run`, as
 * BuildKit's runc executor runs it: one container per RUN, the command its
 * PID 1 (RUNs that share an image layer still run one by one: see
 * compiler/passes/merge-runs.ts). Returns undefined on success, the exit code
 * otherwise; a container
 * that cannot be set up (a missing user, secret or mount source) throws a
 * StepError carrying the RUN's line.
 *
 * What the container gets besides the rootfs: the user's uid, gid and
 * supplementary groups (runc/user.ts), HOME when the env has none; the
 * working directory, created when missing (run/workdir.ts); the --mount
 * flags (run/mounts.ts); heredoc scripts (run/heredocs.ts); the network
 * mode with generated /etc/hosts and /etc/resolv.conf and the hostname
 * buildkitsandbox (run/network.ts); all capabilities and devices for
 * --security=insecure, else docker's default seccomp profile (runc/seccomp.ts;
 * none with build --security-opt seccomp=unconfined). Everything not meant for the layer lives on a private
 * tmpfs outside the rootfs (run/scratch.ts), the runc bundle included, and
 * the mount points runc had to create are removed afterwards (run/stubs.ts).
 */
export async function runStep(o: RunStepOptions): Promise<RunStepFailure | undefined> {
  const rootfs = o.snapshot.merged;
  const source = o.op.command.source;
  const user = await setup("USER_NOT_FOUND", source, () => resolveUser(rootfs, o.op.user));
  await setup("RUN_WORKDIR", source, () => ensureWorkdir(rootfs, o.op.cwd));
  const scratch = await Scratch.open(join(o.snapshot.dir, "scratch"));
  const workDir = join(o.snapshot.dir, "mounts");
  let prepared: PreparedMounts | undefined;
  let stubs: MountStubs | undefined;
  try {
    const network = networkMode(o.op);
    const netMounts = await networkFiles(scratch, network, o.op.extraHosts);
    prepared = await setup("RUN_MOUNT", source, () => prepareMounts({ op: o.op, sources: o.sources, scratch, workDir }));
    const command = prepareCommand(o.op.command);
    const pipeMounts: ExtraMount[] = [];
    const files = command.files;
    for (const f of files) await scratch.file(`pipes/${f.name}`, f.content, f.mode);
    if (files.length > 0) pipeMounts.push({ destination: PIPES_DIR, source: join(scratch.dir, "pipes"), type: "bind", options: ["rbind", "ro"] });
    let env = [...o.op.env];
    if (envLookup(env, "HOME") === undefined) env.push(`HOME=${user.home}`);
    for (const e of prepared.env) env = envSet(env, e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1));
    const insecure = o.op.security === "insecure";
    const spec = runtimeSpec({
      rootfs,
      args: command.args,
      env,
      cwd: o.op.cwd,
      user,
      hostname: SANDBOX_HOSTNAME,
      network,
      mounts: [...netMounts, ...prepared.mounts, ...pipeMounts],
      shmSize: o.op.shmSize,
      ulimits: o.op.ulimits,
      ...(insecure && { security: "insecure", insecureCaps: await boundingCaps(), devices: await hostDevices() }),
      // The default seccomp profile, as docker build applies it; --security=insecure and build --security-opt seccomp=unconfined go without.
      seccomp: insecure || o.op.seccomp === "unconfined" ? undefined : await setup("RUN_SETUP", source, () => seccompFor({ kind: "default" }, DEFAULT_CAPS)),
    });
    stubs = await MountStubs.find(rootfs, (spec.mounts as { destination: string }[]).map((m) => m.destination));
    const code = await runContainer({
      runcRoot: o.runcRoot,
      id: `strata-${o.snapshot.id}`,
      bundle: join(scratch.dir, "bundle"),
      spec,
      onOutput: o.onOutput,
    });
    return code === 0 ? undefined : { exitCode: code };
  } finally {
    await stubs?.clean(o.snapshot.upper);
    await prepared?.release();
    await scratch.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Runs a setup step; its failure becomes a StepError with the RUN's source, so the CLI prints the Dockerfile line. */
async function setup<T>(code: ErrorCode, source: SourceRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StepError) throw e;
    throw new StepError(e instanceof StrataError ? e.code : code, (e as Error).message, source);
  }
}
