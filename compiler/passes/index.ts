import type { BuildGraph } from "../ir/graph.ts";
import { mergeRuns } from "./merge-runs.ts";

/**
 * The optimizer: pure passes graph → graph, each switchable. There is one:
 * merge-runs (merge-runs.ts), adjacent compatible RUNs into one layer.
 *
 * Two things that read like passes are not graph rewrites:
 * - stage pruning is a query, not a pass: `stageDependencies`
 *   (compiler/ir/stages.ts) gives the stages the target needs, in dependency
 *   order; the plan keys and the executor builds only those, and the others
 *   stay in the graph, where explain lists them as pruned;
 * - metadata folding is structural: lowering gives config-only instructions
 *   no layer op (`op: null`), so they make history entries with empty_layer.
 */
export interface PassOptions {
  readonly mergeRuns: boolean;
}

export function optimize(graph: BuildGraph, options: PassOptions): BuildGraph {
  return mergeRuns(graph, { enabled: options.mergeRuns });
}
