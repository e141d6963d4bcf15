import { computeKeys, type GraphKeys } from "../../compiler/cache/keys.ts";
import { type LayerParts, layerParts, type StepFacts } from "../../compiler/explain/parts.ts";
import { digestOf } from "../../compiler/cache/canonical.ts";
import type { BuildGraph, CopyOp, SourceRef, Stage } from "../../compiler/ir/graph.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import type { Store } from "../store/store.ts";
import type { BuildContext } from "./context.ts";
import { contextDigest } from "./context-hash.ts";
import { StepError } from "./errors.ts";
import { hashMemo } from "./hash-memo.ts";
import { type PlanWarning, planWarnings } from "./plan-checks.ts";

export interface BuildPlan {
  /** The stages the target needs, dependencies first (the prune pass). */
  readonly order: readonly number[];
  readonly keys: GraphKeys;
  readonly parts: readonly LayerParts[];
  /** Checks made before anything runs (plan-checks.ts). */
  readonly warnings: readonly PlanWarning[];
}

/** What RUN --mount=type=bind reads from the context, hashed as a COPY of the same paths would be. */
async function bindDigest(context: BuildContext, sources: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const source of sources) {
    const op: CopyOp = { kind: "copy", add: false, from: { type: "context" }, sources: [source], inline: [], dest: "/", cwd: "/", link: false, parents: false, exclude: [] };
    parts.push((await contextDigest(context, op)).digest);
  }
  return digestOf(parts);
}

/**
 * Everything a build or an explain needs before anything runs: which stages
 * are used, what each COPY reads (the context hashed after .dockerignore,
 * image digests), and so every layer's cache key and its parts.
 */
export async function planBuild(store: Store, graph: BuildGraph, context: BuildContext): Promise<BuildPlan> {
  const order = stageDependencies(graph, graph.target);
  const facts = new Map<string, StepFacts>();
  await hashMemo.load(store.layout, context.root);
  for (const i of order) {
    for (const [j, step] of (graph.stages[i] as Stage).steps.entries()) {
      if (step.op?.kind === "run") {
        const binds = step.op.mounts.filter((m) => m.type === "bind" && m.from === undefined);
        if (binds.length > 0) facts.set(`${i}:${j}`, { input: { context: await bindDigest(context, binds.map((m) => m.source ?? ".")) } });
        continue;
      }
      if (step.op?.kind !== "copy") continue;
      const from = step.op.from;
      try {
        if (from.type === "image") facts.set(`${i}:${j}`, { input: { image: (await store.getImage(from.ref)).configDigest } });
        else if (from.type === "context") {
          const { digest, files } = await contextDigest(context, step.op);
          facts.set(`${i}:${j}`, { input: { context: digest }, files });
        }
      } catch (e) {
        throw new StepError("COPY_SOURCE", (e as Error).message, step.sources[0] as SourceRef);
      }
    }
  }
  await hashMemo.save(store.layout);
  const get = (i: number, j: number) => facts.get(`${i}:${j}`);
  const keys = computeKeys(graph, order, (i, j) => get(i, j)?.input);
  const baseLayers = new Map<string, number>();
  for (const i of order) {
    const b = (graph.stages[i] as Stage).base;
    if (b.type === "image" && !baseLayers.has(b.ref)) baseLayers.set(b.ref, (await store.getImage(b.ref)).manifest.layers.length);
  }
  const warnings = planWarnings(graph, order, store.layout, (ref) => baseLayers.get(ref) ?? 0);
  return { order, keys, parts: layerParts(graph, keys, order, get), warnings };
}
