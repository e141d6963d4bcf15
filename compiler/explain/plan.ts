import type { BuildGraph, Stage, Step } from "../ir/graph.ts";
import { mergeBlocker } from "../passes/merge-runs.ts";
import type { LayerParts } from "./parts.ts";
import { missReason } from "./reason.ts";
import type { ExplainLayer, ExplainPlan } from "./schema.ts";

export interface PlanInput {
  readonly graph: BuildGraph;
  /** Stages the target needs (the prune pass). */
  readonly used: ReadonlySet<number>;
  /** Parts of every layer of the used stages, in build order. */
  readonly parts: readonly LayerParts[];
  /** Whether the local (or remote) cache has a layer for this key. */
  readonly hit: (key: string) => boolean;
  /** Whether the key stands on an image nobody looked up (explain --offline): neither hit nor miss. */
  readonly unknown?: (key: string) => boolean;
  /** The parts recorded at the last build of this target, if any. */
  readonly previous: readonly LayerParts[] | undefined;
  readonly warnings?: readonly string[];
  /** What the plan was made without, e.g. base images known only from their registry's metadata. */
  readonly notes?: readonly string[];
}

function stageLabel(graph: BuildGraph, i: number): string {
  const s = graph.stages[i] as Stage;
  return s.name ?? String(i);
}

/** Why a RUN step did not merge into the RUN layer before it; null when there is none. */
function notMerged(steps: readonly Step[], j: number): string | null {
  const step = steps[j] as Step;
  if (step.op?.kind !== "run") return null;
  const prev = steps[j - 1];
  if (prev === undefined) return null;
  if (prev.op?.kind === "run") return mergeBlocker(prev, step) ?? null;
  const between = prev.sources[0]?.text.split(/\s/)[0] ?? "an instruction";
  const earlierRun = steps.slice(0, j - 1).some((s) => s.op?.kind === "run");
  return earlierRun ? `not adjacent to the RUN before (${between} between them)` : null;
}

/** The plan `strata explain` prints: stages, layers, merges, predicted cache hits and why misses miss. */
export function explainPlan(p: PlanInput): ExplainPlan {
  const { graph } = p;
  const before = new Map((p.previous ?? []).map((l) => [`${l.stage}:${l.layer}`, l]));
  const layers: ExplainLayer[] = [];
  const now = new Map(p.parts.map((l) => [`${l.stage}:${l.layer}`, l]));
  const changed = new Map<number, LayerParts>();
  for (const i of [...p.used].sort((a, b) => a - b)) {
    const stage = graph.stages[i] as Stage;
    let layer = 0;
    stage.steps.forEach((step, j) => {
      if (step.op === null) return;
      const parts = now.get(`${i}:${layer++}`);
      if (parts === undefined) throw new Error(`internal: no key parts for stage ${i} layer ${layer - 1}`);
      const unknown = p.unknown?.(parts.key) ?? false;
      const hit = !unknown && p.hit(parts.key);
      let reason: string | null = null;
      if (unknown) reason = "built on an image that was not looked up (--offline): its cache key is not known";
      else if (!hit) {
        const prev = before.get(`${i}:${parts.layer}`);
        const below = changed.get(i) ?? (stage.base.type === "stage" ? changed.get(stage.base.stage) : undefined);
        reason = missReason(parts, prev, below);
        if (!changed.has(i)) changed.set(i, parts);
      }
      layers.push({
        stage: i,
        instructions: step.sources.map((s) => ({ file: s.file, line: s.line, text: s.text })),
        merged: step.sources.length > 1,
        notMerged: notMerged(stage.steps, j),
        cacheKey: parts.key,
        cache: unknown ? "unknown" : hit ? "hit" : "miss",
        reason,
      });
    });
  }
  return {
    version: 1,
    target: stageLabel(graph, graph.target),
    stages: graph.stages.map((s) => ({
      index: s.index,
      name: s.name ?? null,
      base: s.base.type === "image" ? s.base.ref : s.base.type === "stage" ? stageLabel(graph, s.base.stage) : "scratch",
      used: p.used.has(s.index),
    })),
    layers,
    warnings: [...(p.warnings ?? [])],
    notes: [...(p.notes ?? [])],
  };
}
