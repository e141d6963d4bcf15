import type { BuildGraph, RunOp, Stage, Step } from "../ir/graph.ts";
import { canonicalJson } from "../cache/canonical.ts";

/**
 * merge-runs: adjacent RUN steps become one layer when the result is
 * indistinguishable from running them one by one.
 *
 * The executor runs a merged layer in one container, each original RUN as its
 * own child process of a small POSIX-shell driver (runtime/engine/exec/merged-run.ts):
 * no `cd`, `export`, `set`, `umask`, `trap` or `exit` leaks from one into the
 * next, every one starts in WORKDIR, and the layer fails at the first RUN that
 * fails, reporting that RUN. So two RUNs merge only when:
 *   - they are next to each other (no instruction between them);
 *   - they run with the same environment, working directory, user, network,
 *     security mode and mounts (so a change of any of those is a boundary);
 *   - both are shell-form commands of the same POSIX shell (the driver needs it);
 *   - neither has heredocs;
 *   - the user did not put a `# strata:layer` comment line before the second.
 * History keeps one entry per original instruction.
 */
export interface MergeRunsOptions {
  readonly enabled: boolean;
}

const POSIX_SHELLS = new Set(["/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/usr/bin/bash", "/usr/bin/sh"]);

/** Why two adjacent RUN steps were not merged; undefined when they can be. */
export function mergeBlocker(a: Step, b: Step): string | undefined {
  const x = a.op;
  const y = b.op;
  if (x?.kind !== "run" || y?.kind !== "run") return "not two RUNs";
  if (b.boundary) return "a `# strata:layer` comment asks for a boundary";
  if (!isShellRun(x) || !isShellRun(y)) return "an exec-form RUN or a non-POSIX SHELL";
  if ((x.commands[0]?.args[0] ?? "") !== (y.commands[0]?.args[0] ?? "")) return "different shells";
  if (x.commands.some((c) => c.heredocs.length > 0) || y.commands.some((c) => c.heredocs.length > 0)) return "a heredoc";
  if (canonicalJson(x.env) !== canonicalJson(y.env)) return "the environment changed (ENV or ARG)";
  if (x.cwd !== y.cwd) return "WORKDIR changed";
  if (x.user !== y.user) return "USER changed";
  if (x.network !== y.network) return "--network differs";
  if (x.security !== y.security) return "--security differs";
  if (canonicalJson(x.mounts) !== canonicalJson(y.mounts)) return "--mount differs";
  return undefined;
}

function isShellRun(op: RunOp): boolean {
  return op.commands.every((c) => c.args.length === 3 && c.args[1] === "-c" && POSIX_SHELLS.has(c.args[0] ?? ""));
}

function mergeStage(stage: Stage): Stage {
  const steps: Step[] = [];
  for (const step of stage.steps) {
    const prev = steps[steps.length - 1];
    if (prev !== undefined && mergeBlocker(prev, step) === undefined) {
      const a = prev.op as RunOp;
      const b = step.op as RunOp;
      steps[steps.length - 1] = {
        sources: [...prev.sources, ...step.sources],
        createdBy: [...prev.createdBy, ...step.createdBy],
        op: { ...a, commands: [...a.commands, ...b.commands] },
        config: step.config,
        ...(prev.boundary && { boundary: true }),
      };
      continue;
    }
    steps.push(step);
  }
  return { ...stage, steps };
}

export function mergeRuns(graph: BuildGraph, options: MergeRunsOptions = { enabled: true }): BuildGraph {
  if (!options.enabled) return graph;
  return { ...graph, stages: graph.stages.map(mergeStage) };
}
