import { canonicalJson } from "../cache/canonical.ts";
import type { ContainerConfig } from "../ir/image-config.ts";
import type { BuildGraph, SourceRef, Stage, Step } from "../ir/graph.ts";
import { mergeBlocker } from "../passes/merge-runs.ts";
import type { LayerParts } from "./parts.ts";
import { missReason } from "./reason.ts";
import type { ExplainCache, ExplainInstruction, ExplainLayer, ExplainPlan } from "./schema.ts";

export interface PlanInput {
  readonly graph: BuildGraph;
  /** Stages the target needs (the prune pass). */
  readonly used: ReadonlySet<number>;
  /** Parts of every layer step of the used stages (one per RUN, merged or not), in build order. */
  readonly parts: readonly LayerParts[];
  /** Whether the local (or remote) cache has a record for this step key. */
  readonly hit: (key: string) => boolean;
  /** Whether the key stands on an image nobody looked up (explain --offline): neither hit nor miss. */
  readonly unknown?: (key: string) => boolean;
  /** --no-cache: every layer step runs, so every known one misses. */
  readonly noCache?: boolean;
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

/**
 * Why a RUN step does not share the image layer before it; null when it does,
 * when it is not a RUN, or when no RUN comes before it in the stage.
 */
function notMerged(steps: readonly Step[], j: number): string | null {
  const step = steps[j] as Step;
  if (step.op?.kind !== "run" || step.mergeWithPrevious) return null;
  const prev = steps[j - 1];
  if (prev === undefined || !steps.slice(0, j).some((s) => s.op?.kind === "run")) return null;
  // Two adjacent RUNs with nothing between them stay apart only when the merge pass is off.
  return mergeBlocker(prev, step) ?? "merging is off (--no-merge)";
}

/** One layer step as explain sees it: its own key, cache state and miss reason. */
interface PlannedStep {
  readonly j: number;
  readonly step: Step;
  readonly parts: LayerParts;
  readonly cache: ExplainCache;
  readonly reason: string | null;
}

/** The config as it takes effect: no working directory is `/` (so `WORKDIR /` on a base without one changes nothing). */
/** Each config's canonical form, once: a config-only step compares its config with the one before, which the step before already made. */
const effectiveOf = new WeakMap<ContainerConfig, string>();
function effective(config: ContainerConfig): string {
  let e = effectiveOf.get(config);
  if (e === undefined) {
    e = canonicalJson({ ...config, WorkingDir: config.WorkingDir || "/" });
    effectiveOf.set(config, e);
  }
  return e;
}

/** What a step without a layer op changes: the config, or nothing at all. */
function configOrNone(step: Step, before: ContainerConfig): "config" | "none" {
  return effective(step.config) === effective(before) ? "none" : "config";
}

/** What a layer's steps read from other stages and images (COPY --from, RUN --mount from=), each once. */
function readsOf(group: readonly PlannedStep[]): ExplainLayer["reads"] {
  const out: ExplainLayer["reads"] = [];
  const add = (r: ExplainLayer["reads"][number]): void => {
    if (!out.some((o) => o.stage === r.stage && o.image === r.image && o.by === r.by)) out.push(r);
  };
  for (const { step } of group) {
    const op = step.op;
    if (op?.kind === "copy" && op.from.type === "stage") add({ stage: op.from.stage, image: null, by: "copy" });
    if (op?.kind === "copy" && op.from.type === "image") add({ stage: null, image: op.from.ref, by: "copy" });
    if (op?.kind === "run")
      for (const m of op.mounts) {
        if (m.from !== undefined && "stage" in m.from) add({ stage: m.from.stage, image: null, by: "mount" });
        if (m.from !== undefined && "image" in m.from) add({ stage: null, image: m.from.image, by: "mount" });
      }
  }
  return out;
}

function layerOf(stage: number, group: readonly PlannedStep[], notMergedWhy: string | null): ExplainLayer {
  const last = group[group.length - 1] as PlannedStep;
  const merged = group.length > 1;
  const count = (c: ExplainCache): number => group.filter((g) => g.cache === c).length;
  const cache: ExplainCache = count("unknown") > 0 ? "unknown" : count("miss") > 0 ? "miss" : "hit";
  const first = group.find((g) => g.cache === cache);
  let reason: string | null = null;
  if (cache !== "hit" && first !== undefined) reason = merged && cache === "miss" ? `line ${first.parts.lines[0]}: ${first.reason}` : first.reason;
  return {
    stage,
    instructions: group.flatMap((g) => g.step.sources.map((s) => ({ file: s.file, line: s.line, text: s.text, cache: g.cache, reason: g.reason }))),
    merged,
    runs: merged ? { cached: count("hit"), run: count("miss"), unknown: count("unknown") } : null,
    notMerged: notMergedWhy,
    cacheKey: last.parts.key,
    stepKeys: group.map((g) => g.parts.key),
    reads: readsOf(group),
    cache,
    reason,
  };
}

/**
 * The plan `strata explain` prints: stages, every instruction and what it
 * becomes, the image's layers (a merged group of RUNs is one), predicted
 * cache hits and why misses miss. Every RUN is a step of its own with its own
 * key and record, so a merged layer's RUNs are each a hit or a miss, and a
 * miss is explained by the first RUN of it that misses.
 */
export function explainPlan(p: PlanInput): ExplainPlan {
  const { graph } = p;
  const before = new Map((p.previous ?? []).map((l) => [`${l.stage}:${l.layer}`, l]));
  const now = new Map(p.parts.map((l) => [`${l.stage}:${l.layer}`, l]));
  const layers: ExplainLayer[] = [];
  const instructions: ExplainInstruction[] = [];
  /** The first missed step of each stage. */
  const changed = new Map<number, LayerParts>();
  const entry = (stage: number, s: SourceRef, rest: Pick<ExplainInstruction, "becomes" | "layer" | "cache" | "reason">): ExplainInstruction => ({ stage, file: s.file, line: s.line, text: s.text, ...rest });

  for (const i of [...p.used].sort((a, b) => a - b)) {
    const stage = graph.stages[i] as Stage;
    // FROM a named local context is the layer of its first step, not a base.
    if (stage.context === undefined) instructions.push(entry(i, stage.source, { becomes: "base", layer: null, cache: null, reason: null }));
    let layerStep = 0;
    /** The group of layer steps that makes the image layer being collected. */
    let group: PlannedStep[] = [];
    /** Where the instructions of the group are in `instructions`, to fill in `becomes` and `layer` once it is complete. */
    let groupEntries: ExplainInstruction[] = [];
    const close = (): void => {
      if (group.length === 0) return;
      const j0 = (group[0] as PlannedStep).j;
      layers.push(layerOf(i, group, notMerged(stage.steps, j0)));
      for (const e of groupEntries) Object.assign(e, { becomes: group.length > 1 ? "merged" : "layer", layer: layers.length });
      group = [];
      groupEntries = [];
    };

    stage.steps.forEach((step, j) => {
      if (step.op === null) {
        close();
        const becomes = configOrNone(step, j === 0 ? stage.baseConfig : (stage.steps[j - 1] as Step).config);
        for (const s of step.sources) instructions.push(entry(i, s, { becomes, layer: null, cache: null, reason: null }));
        return;
      }
      const parts = now.get(`${i}:${layerStep++}`);
      if (parts === undefined) throw new Error(`internal: no key parts for stage ${i} layer step ${layerStep - 1}`);
      const unknown = p.unknown?.(parts.key) ?? false;
      const hit = !unknown && p.noCache !== true && p.hit(parts.key);
      // A RUN joins the open group only when the merge pass says so and the group ends right before it.
      const joins = step.mergeWithPrevious === true && group.length > 0 && (group[group.length - 1] as PlannedStep).j === j - 1;
      if (!joins) close();
      let reason: string | null = null;
      if (unknown) reason = "built on an image that was not looked up (--offline): its cache key is not known";
      else if (p.noCache === true) reason = "--no-cache: every step runs";
      else if (!hit) {
        const prev = before.get(`${i}:${parts.layer}`);
        const below = changed.get(i) ?? (stage.base.type === "stage" ? changed.get(stage.base.stage) : undefined);
        const inLayer = below !== undefined && group.some((g) => g.parts === below);
        reason = missReason(parts, prev, below, inLayer);
        if (!changed.has(i)) changed.set(i, parts);
      }
      const cache: ExplainCache = unknown ? "unknown" : hit ? "hit" : "miss";
      group.push({ j, step, parts, cache, reason });
      for (const s of step.sources) {
        const e = entry(i, s, { becomes: "layer", layer: null, cache, reason });
        instructions.push(e);
        groupEntries.push(e);
      }
    });
    close();
  }
  return {
    version: 1,
    target: stageLabel(graph, graph.target),
    stages: graph.stages.map((s) => ({
      index: s.index,
      name: s.name ?? null,
      base: s.base.type === "image" ? s.base.ref : s.base.type === "stage" ? stageLabel(graph, s.base.stage) : s.context !== undefined ? `build context ${s.context}` : "scratch",
      used: p.used.has(s.index),
      baseStage: s.base.type === "stage" ? s.base.stage : null,
    })),
    instructions,
    layers,
    warnings: [...(p.warnings ?? [])],
    notes: [...(p.notes ?? [])],
  };
}
