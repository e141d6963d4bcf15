import { computeKeys, type GraphKeys, keyedInput, type MountInput } from "../../../compiler/cache/keys.ts";
import { type LayerParts, layerParts, type StepFacts } from "../../../compiler/explain/parts.ts";
import type { BuildGraph, Mount, SourceRef, Stage, Step } from "../../../compiler/ir/graph.ts";
import { stageDependencies } from "../../../compiler/ir/stages.ts";
import { StrataError } from "../../errors/error.ts";
import { StepError } from "../../errors/step-error.ts";
import { hashMemo } from "../../store/context-hashes.ts";
import type { StoreLayout } from "../../store/layout.ts";
import type { ResolvedImage } from "../compile/bases.ts";
import type { BuildContext } from "../context/context.ts";
import { bindDigest, contextDigest } from "../context/hash.ts";
import { namedOrMain } from "../context/named.ts";
import { type PlanWarning, planWarnings } from "./checks.ts";
import { platformWarnings, runnablePlatforms } from "./platforms.ts";

export interface BuildPlan {
  /** The stages the target needs, dependencies first (the prune pass). */
  readonly order: readonly number[];
  readonly keys: GraphKeys;
  readonly parts: readonly LayerParts[];
  /** Keys that stand on an image nobody looked up (explain --offline): neither hit nor miss can be said. */
  readonly unknown: ReadonlySet<string>;
  /** Checks made before anything runs (checks.ts). */
  readonly warnings: readonly PlanWarning[];
}

export interface PlanInput {
  readonly layout: StoreLayout;
  readonly graph: BuildGraph;
  readonly context: BuildContext;
  /** --build-context NAME=DIR: the named local contexts COPY --from=NAME, FROM NAME and RUN --mount from=NAME read. */
  readonly named?: ReadonlyMap<string, BuildContext>;
  /** The images the graph names (the compile phase resolved them). */
  readonly image: (ref: string) => Promise<ResolvedImage>;
}

/** What a RUN's mounts with `from` read, in mount order: a stage (keyed by its last key in computeKeys), an image by its ID, a named context by the digest of what it binds. */
async function mountInputs(mounts: readonly Mount[], p: PlanInput): Promise<MountInput[]> {
  const out: MountInput[] = [];
  for (const m of mounts) {
    if (m.from === undefined) continue;
    if ("stage" in m.from) out.push({ stage: m.from.stage });
    else if ("image" in m.from) out.push({ image: (await p.image(m.from.image)).id });
    else out.push({ context: await bindDigest(namedOrMain(p.context, p.named, m.from.context), [m.source ?? "."]) });
  }
  return out;
}

/** The images and stages a step reads besides its parent. */
function readsFrom(step: Step): { images: string[]; stages: number[] } {
  const op = step.op;
  if (op?.kind === "copy") return op.from.type === "image" ? { images: [op.from.ref], stages: [] } : op.from.type === "stage" ? { images: [], stages: [op.from.stage] } : { images: [], stages: [] };
  if (op?.kind === "run") {
    const from = op.mounts.flatMap((m) => (m.from ? [m.from] : []));
    return { images: from.flatMap((f) => ("image" in f ? [f.image] : [])), stages: from.flatMap((f) => ("stage" in f ? [f.stage] : [])) };
  }
  return { images: [], stages: [] };
}

/**
 * Everything a build or an explain needs before anything runs: which stages
 * are used, what each COPY reads (the context hashed after .dockerignore,
 * image IDs), and so every layer's cache key and its parts.
 */
export async function planBuild(p: PlanInput): Promise<BuildPlan> {
  const { graph, context } = p;
  const order = stageDependencies(graph, graph.target);
  const facts = new Map<string, StepFacts>();
  await hashMemo.load(p.layout, context.root);
  for (const i of order) {
    for (const [j, step] of (graph.stages[i] as Stage).steps.entries()) {
      if (step.op?.kind === "run") {
        const binds = step.op.mounts.filter((m) => m.type === "bind" && m.from === undefined);
        const bound = binds.length > 0 ? await bindDigest(context, binds.map((m) => m.source ?? ".")) : undefined;
        const mounts = await mountInputs(step.op.mounts, p).catch((e: unknown) => {
          throw new StepError(e instanceof StrataError ? e.code : "RUN_MOUNT", (e as Error).message, step.sources[0] as SourceRef);
        });
        if (mounts.length > 0) facts.set(`${i}:${j}`, { input: { ...(bound !== undefined && { context: bound }), mounts } });
        else if (bound !== undefined) facts.set(`${i}:${j}`, { input: { context: bound } });
        continue;
      }
      if (step.op?.kind !== "copy") continue;
      const from = step.op.from;
      try {
        if (from.type === "image") facts.set(`${i}:${j}`, { input: { image: (await p.image(from.ref)).id } });
        else if (from.type === "context") {
          const { digest, files } = await contextDigest(namedOrMain(context, p.named, from.name), step.op);
          facts.set(`${i}:${j}`, { input: { context: digest }, files });
        }
      } catch (e) {
        throw new StepError(e instanceof StrataError ? e.code : "COPY_SOURCE", (e as Error).message, step.sources[0] as SourceRef);
      }
    }
  }
  await hashMemo.save(p.layout);
  const get = (i: number, j: number) => facts.get(`${i}:${j}`);
  const keys = computeKeys(graph, order, (i, j) => get(i, j)?.input);
  const images = new Map<string, ResolvedImage>();
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    const refs = [...(stage.base.type === "image" ? [stage.base.ref] : []), ...stage.steps.flatMap((s) => readsFrom(s).images)];
    for (const ref of refs) if (!images.has(ref)) images.set(ref, await p.image(ref));
  }
  const unknown = unknownKeys(graph, order, keys, (ref) => images.get(ref)?.origin === "unknown");
  const warnings = [...planWarnings(graph, order, p.layout, (ref) => images.get(ref)?.layers ?? 0), ...platformWarnings(graph, order, await runnablePlatforms())];
  // The parts name the stages a step reads by their keys, as its key does, so explain sees a changed one.
  const keyed = (i: number, j: number): StepFacts | undefined => {
    const f = get(i, j);
    const op = (graph.stages[i] as Stage).steps[j]?.op;
    return op == null ? f : { ...f, input: keyedInput(op, f?.input, keys.stages) };
  };
  return { order, keys, parts: layerParts(graph, keys, order, keyed), unknown, warnings };
}

/** The keys built on an unknown image: a stage from one, and each step from one that reads one (or such a stage) on. */
function unknownKeys(graph: BuildGraph, order: readonly number[], keys: GraphKeys, isUnknown: (ref: string) => boolean): Set<string> {
  const out = new Set<string>();
  const stageUnknown = new Set<number>();
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    let unknown = (stage.base.type === "image" && isUnknown(stage.base.ref)) || (stage.base.type === "stage" && stageUnknown.has(stage.base.stage));
    stage.steps.forEach((step, j) => {
      if (step.op === null) return;
      const reads = readsFrom(step);
      if (reads.images.some(isUnknown) || reads.stages.some((s) => stageUnknown.has(s))) unknown = true;
      if (unknown) out.add(keys.steps[i]?.[j] as string);
    });
    if (unknown) stageUnknown.add(i);
  }
  return out;
}
