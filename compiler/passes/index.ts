import type { BuildGraph } from "../ir/graph.ts";
import { mergeRuns } from "./merge-runs.ts";

/**
 * The optimizer: pure passes graph → graph, each switchable.
 * - prune (prune.ts): which stages the target needs; the executor and explain use it.
 * - merge-runs (merge-runs.ts): adjacent compatible RUNs into one layer.
 * - metadata folding is structural: lowering gives config-only instructions
 *   no layer op (`op: null`), so they make history entries with empty_layer.
 */
export interface PassOptions {
  readonly mergeRuns: boolean;
}

export function optimize(graph: BuildGraph, options: PassOptions): BuildGraph {
  return mergeRuns(graph, { enabled: options.mergeRuns });
}
