import type { BuildGraph } from "../ir/graph.ts";
import { stageDependencies } from "../ir/stages.ts";

/**
 * prune: the stages the target does not reach are not built. They stay in
 * the graph (explain lists them as pruned) with `used: false`; the executor
 * builds only used stages, so a failing unused stage does not fail the build.
 */
export function usedStages(graph: BuildGraph): Set<number> {
  return new Set(stageDependencies(graph, graph.target));
}
