import type { BuildGraph } from "./graph.ts";

/** The stages `target` needs, itself included, in dependency order. */
export function stageDependencies(graph: BuildGraph, target: number): number[] {
  const seen = new Set<number>();
  const order: number[] = [];
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    const stage = graph.stages[i];
    if (stage === undefined) return;
    if (stage.base.type === "stage") visit(stage.base.stage);
    for (const step of stage.steps) {
      const op = step.op;
      if (op?.kind === "copy" && op.from.type === "stage") visit(op.from.stage);
      if (op?.kind === "run") for (const m of op.mounts) if (m.from && "stage" in m.from) visit(m.from.stage);
    }
    order.push(i);
  };
  visit(target);
  return order;
}
