import type { BuildGraph, Stage, Step } from "../ir/graph.ts";

/**
 * merge-runs: adjacent RUNs share one image layer.
 *
 * Merging is a property of the written image, not of execution or caching.
 * The pass rewrites nothing a step does: it marks a RUN step
 * `mergeWithPrevious` when its layer is to be combined with the layer of the
 * RUN just before it. Every RUN still runs alone, in its own container with
 * its own PID 1, exactly as `docker build` runs it, and has its own cache key
 * and cache record (its per-step layer). When the image is assembled, the
 * per-step layers of a group are combined into one layer
 * (runtime/layer/merge-layers.ts), itself kept as a cache record keyed by
 * the per-step layers (compiler/cache/keys.ts `mergedLayerKey`), so a warm
 * build does no merging work and an edit re-runs only the changed RUN and
 * those after it.
 *
 * The mechanism, chosen by measurement (ARCHITECTURE.md, "RUN merging"): a
 * tar-level merge of the stored per-step layers, not a second diff of
 * overlaid snapshots. When the later RUNs only add or replace, the merged
 * layer starts with the first layer's bytes as stored, copied (a reflink
 * where the filesystem has them) while the edited RUN runs and hashed from a
 * saved state, so an edit after a big `apt-get install` costs what the small
 * RUNs' bytes cost; otherwise every path's newest entry, deletions resolved.
 *
 * Because nothing is run differently, the only rules left are about what
 * the user sees: two RUNs share a layer when they are next to each other in
 * a stage (no instruction between them, config-only ones included, so the
 * history reads as the Dockerfile does) and no `# strata:layer` comment line
 * asks for a boundary before the second. Shell, exec form, heredocs, mounts,
 * network and security mode do not matter any more.
 */
export interface MergeRunsOptions {
  readonly enabled: boolean;
}

/** Why a RUN step does not share the layer of the step before it; undefined when it does. */
export function mergeBlocker(a: Step, b: Step): string | undefined {
  if (b.op?.kind !== "run") return "not a RUN";
  if (a.op?.kind !== "run") {
    const between = a.sources[a.sources.length - 1]?.text.split(/\s/)[0] ?? "an instruction";
    return `not adjacent to a RUN (${between} before it)`;
  }
  if (b.boundary) return "a `# strata:layer` comment asks for a boundary";
  return undefined;
}

function mergeStage(stage: Stage): Stage {
  const steps = stage.steps.map((step, j) => {
    const prev = stage.steps[j - 1];
    return prev !== undefined && mergeBlocker(prev, step) === undefined ? { ...step, mergeWithPrevious: true } : step;
  });
  return { ...stage, steps };
}

export function mergeRuns(graph: BuildGraph, options: MergeRunsOptions = { enabled: true }): BuildGraph {
  if (!options.enabled) return graph;
  return { ...graph, stages: graph.stages.map(mergeStage) };
}
