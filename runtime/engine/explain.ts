/**
 * `explain(request)`: the plan of a build (what every instruction becomes, the
 * image's layers), prepared as `build` prepares it (prepare.ts: the same
 * request type, compile, RUN flags, contexts, keys and refusals) and run no
 * further. Hits are predicted per step: every RUN, merged or not, has its own
 * key and cache record (`plan.parts`). Nothing runs and no layer is
 * downloaded: a base image the store lacks (or every base, with `pull`) is
 * known from its registry's manifest and config only, or, with `offline`, not
 * at all (its layers are "unknown"). Predicted hits come from the local cache
 * records (whose layers are stored) and the --cache-from caches, none with
 * `noCache`; misses are explained against the build record of the target.
 */
import { explainPlan } from "../../compiler/explain/plan.ts";
import { sharedLayers } from "../../compiler/explain/platforms.ts";
import type { LayerParts } from "../../compiler/explain/parts.ts";
import type { ExplainPlan, ExplainPlatforms } from "../../compiler/explain/schema.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { loadRecord } from "../store/build-records.ts";
import { wasteWarnings } from "./plan/waste-warnings.ts";
import { CacheRecords } from "../store/cache-records.ts";
import { cacheLabel } from "../registry/cache-spec.ts";
import type { PlanWarning } from "./plan/checks.ts";
import { type NotPlanned, type PlanRequest, prepareBuild } from "./prepare.ts";

export interface ExplainRequest extends PlanRequest {
  /** Ask no registry anything: bases the store lacks are unknown, --cache-from is not read, --pull not honoured. */
  readonly offline: boolean;
}

export type ExplainResult =
  | NotPlanned
  /** The plan; `refusals`: the plan checks that would stop the build before any step; `graph` and `parts`: what it was made from (the html report's panels, build --report's steps). */
  | { readonly kind: "planned"; readonly source: SourceFile; readonly plan: ExplainPlan; readonly refusals: readonly PlanWarning[]; readonly graph: BuildGraph; readonly parts: readonly LayerParts[] };

export async function explain(r: ExplainRequest): Promise<ExplainResult> {
  const p = await prepareBuild(r, r.offline ? "offline" : "inspect");
  if (p.kind !== "planned") return p;
  await p.close();
  const { store } = r;
  const { plan, compiled } = p;
  const hits = new Set<string>();
  const notes = [...compiled.images.notes];
  if (r.pull === true && r.offline) notes.push("--pull not honoured (--offline): the store's base images are planned on");
  if (!r.noCache) {
    const cache = new CacheRecords(store.layout);
    for (const part of plan.parts) if (await cache.has(part.key)) hits.add(part.key);
    if (r.cacheFrom.length > 0 && r.offline) notes.push(`--cache-from not read (--offline): ${r.cacheFrom.map(cacheLabel).join(", ")}`);
    else if (r.cacheFrom.length > 0) {
      // The registry client is loaded only for a remote cache.
      const remote = await (await import("../registry/cache-import.ts")).RemoteCache.open(store, r.cacheFrom, r.registry);
      // One lookup per layer key (a version-2 cache: its record's tag and blob), side by side.
      const found = await Promise.all(plan.parts.map(async (part) => ((await remote.has(part.key)) ? part.key : undefined)));
      for (const k of found) if (k !== undefined) hits.add(k);
      await remote.close();
    }
  }
  const out = explainPlan({
    graph: p.graph,
    used: new Set(plan.order),
    parts: plan.parts,
    hit: (k) => hits.has(k),
    unknown: (k) => plan.unknown.has(k),
    noCache: r.noCache,
    previous: await loadRecord(store.layout, p.record),
    // The add-then-delete warnings are known when every layer of the target's stages is in the cache.
    warnings: [...p.warnings, ...(r.noCache ? [] : await wasteWarnings(store, p.graph, plan.keys.steps, p.record))].map((w) => w.message),
    notes,
  });
  return { kind: "planned", source: p.source, plan: out, refusals: p.warnings.filter((w) => w.fatal), graph: p.graph, parts: plan.parts };
}

export type ExplainPlatformsResult =
  | NotPlanned
  /** Every platform's plan and what they share; `refusals`: every platform's, each once. */
  | { readonly kind: "planned"; readonly source: SourceFile; readonly plans: ExplainPlatforms; readonly refusals: readonly PlanWarning[] };

/**
 * The plans of a multi-platform build (build-platforms.ts): the request explained once per
 * platform, as the build builds it once per platform, and the layers alike in every plan. The
 * first platform that cannot be planned is the answer.
 */
export async function explainPlatforms(r: ExplainRequest, platforms: readonly string[]): Promise<ExplainPlatformsResult> {
  const plans: { platform: string; plan: ExplainPlan }[] = [];
  const refusals = new Map<string, PlanWarning>();
  let source: SourceFile | undefined;
  for (const platform of platforms) {
    const one = await explain({ ...r, platform });
    if (one.kind !== "planned") return one;
    plans.push({ platform, plan: one.plan });
    for (const w of one.refusals) refusals.set(`${w.code} ${w.message}`, w);
    source = one.source;
  }
  if (source === undefined) throw new Error("internal: a multi-platform explain of no platform");
  return { kind: "planned", source, plans: sharedLayers(plans), refusals: [...refusals.values()] };
}
