import type { BuildGraph, RunOp } from "../../../../compiler/ir/graph.ts";
import type { PlanWarning } from "../../plan/checks.ts";
import type { SshSource } from "./ssh-agents.ts";

/** BuildKit's entitlements a build may be granted (`build --allow`). */
export const ENTITLEMENTS = ["network.host", "security.insecure"] as const;
export type Entitlement = (typeof ENTITLEMENTS)[number];

/**
 * What `strata build` sets for every RUN of the build, as buildx passes it to
 * BuildKit: `--network` (the mode of RUNs without their own --network, the
 * dockerfile frontend's force-network-mode), `--add-host`, `--shm-size`,
 * `--ulimit` (ExecOp Meta fields, so part of each RUN's cache key),
 * `--security-opt seccomp=unconfined` (docker build's; not keyed), `--ssh`
 * (the agent sockets RUN --mount=type=ssh forwards) and `--allow`.
 */
export interface RunEnvironment {
  readonly network?: "default" | "none" | "host" | undefined;
  readonly extraHosts?: readonly { readonly host: string; readonly ip: string }[] | undefined;
  readonly shmSize?: number | undefined;
  readonly ulimits?: readonly { readonly name: string; readonly soft: number; readonly hard: number }[] | undefined;
  /** `--ssh ID[=SOCKET|KEY[,KEY]]`: each id's agent (ssh-agents.ts). Absent: the `default` id is $SSH_AUTH_SOCK. */
  readonly ssh?: ReadonlyMap<string, SshSource> | undefined;
  readonly allow?: ReadonlySet<Entitlement> | undefined;
  /** `--security-opt seccomp=unconfined`: RUN steps without the default seccomp profile (not keyed: compiler/cache/keys.ts). */
  readonly seccomp?: "unconfined" | undefined;
}

function applyTo(op: RunOp, env: RunEnvironment): RunOp {
  const out: RunOp = { ...op };
  if (op.network === "default" && env.network !== undefined && env.network !== "default") out.network = env.network;
  if (env.extraHosts !== undefined && env.extraHosts.length > 0) out.extraHosts = env.extraHosts.map((h) => ({ ...h }));
  if (env.shmSize !== undefined) out.shmSize = env.shmSize;
  if (env.ulimits !== undefined && env.ulimits.length > 0) out.ulimits = env.ulimits.map((u) => ({ ...u }));
  if (env.seccomp !== undefined) out.seccomp = env.seccomp;
  return out;
}

/** The graph with the build's RUN settings in every RUN op (a new graph; the compiled one is kept as it is). */
export function withRunEnvironment(graph: BuildGraph, env: RunEnvironment): BuildGraph {
  return {
    ...graph,
    stages: graph.stages.map((stage) => ({
      ...stage,
      steps: stage.steps.map((step) => (step.op?.kind === "run" ? { ...step, op: applyTo(step.op, env) } : step)),
    })),
  };
}

/**
 * BuildKit's ValidateEntitlements: a RUN in host networking or insecure
 * mode needs the entitlement, else the solve fails with "network.host is
 * not allowed" before anything runs. `--network host` grants network.host
 * itself, as buildx adds it to the allowed entitlements.
 */
export function entitlementChecks(graph: BuildGraph, order: readonly number[], env: RunEnvironment): PlanWarning[] {
  const allowed = new Set<Entitlement>(env.allow ?? []);
  if (env.network === "host") allowed.add("network.host");
  const missing = new Set<Entitlement>();
  for (const i of order) {
    for (const step of graph.stages[i]?.steps ?? []) {
      if (step.op?.kind !== "run") continue;
      if (step.op.network === "host" && !allowed.has("network.host")) missing.add("network.host");
      if (step.op.security === "insecure" && !allowed.has("security.insecure")) missing.add("security.insecure");
    }
  }
  return [...missing].map((e) => ({ code: "PLAN_ENTITLEMENT", fatal: true, message: `${e} is not allowed: grant it with --allow ${e}` }));
}
