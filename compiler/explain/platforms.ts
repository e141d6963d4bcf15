/**
 * What a multi-platform build's plans share: a layer with the same cache key at the same place
 * (stage and instructions) in every platform's plan is built once, by the first platform's build
 * (the others find it in the cache), as a `FROM --platform=$BUILDPLATFORM` stage's layers are.
 * Pure: the plans in; the shared layers and each platform's count of its own layers out.
 */
import type { ExplainLayer, ExplainPlan, ExplainPlatforms } from "./schema.ts";

/** A layer by where it is and what it is keyed: the stage, its instructions and its cache key. */
function layerId(l: ExplainLayer): string {
  return JSON.stringify([l.stage, l.instructions.map((i) => `${i.file}:${i.line}`), l.cacheKey]);
}

export function sharedLayers(plans: readonly { platform: string; plan: ExplainPlan }[]): ExplainPlatforms {
  const idSets = plans.map(({ plan }) => new Set(plan.layers.map(layerId)));
  const inEvery = (l: ExplainLayer): boolean => idSets.every((s) => s.has(layerId(l)));
  const first = plans[0]?.plan;
  const shared = (first?.layers ?? [])
    .filter(inEvery)
    .map((l) => ({
      stage: l.stage,
      stageName: first?.stages.find((s) => s.index === l.stage)?.name ?? null,
      instructions: l.instructions.map(({ file, line, text }) => ({ file, line, text })),
      cacheKey: l.cacheKey,
    }));
  return {
    platforms: plans.map(({ platform, plan }) => ({ platform, plan, ownLayers: plan.layers.filter((l) => !inEvery(l)).length })),
    shared,
  };
}
