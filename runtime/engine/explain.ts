/**
 * `explain(request)`: the plan of a build (what every instruction becomes, the
 * image's layers), computed as `build` computes it and run no further.
 * Hits are predicted per step: every RUN, merged or not, has its own key and
 * cache record (`plan.parts`). Nothing runs and no layer is downloaded: a base
 * image the store lacks is known from its manifest and config only, or, with
 * `offline`, not at all (its layers are "unknown"). Predicted hits come from
 * the local cache records (whose layers are stored) and the --cache-from
 * caches; misses are explained against the build record of the target.
 */
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { explainPlan } from "../../compiler/explain/plan.ts";
import type { ExplainPlan } from "../../compiler/explain/schema.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { StepError } from "../errors/step-error.ts";
import { loadRecord, targetId } from "../store/build-records.ts";
import { CacheRecords } from "../store/cache-records.ts";
import { type CompileRequest, compileBuild } from "./compile/compile.ts";
import { BuildContext } from "./context/context.ts";
import { openNamedContexts } from "./context/named.ts";
import { type BuildPlan, planBuild } from "./plan/plan.ts";
import { type CacheImport, cacheLabel } from "../registry/cache-spec.ts";
import { type RunEnvironment, withRunEnvironment } from "./exec/run/environment.ts";

export interface ExplainRequest extends CompileRequest {
  /** Remote build caches whose records count as hits (--cache-from). */
  readonly cacheFrom: readonly CacheImport[];
  /** Ask no registry anything: bases the store lacks are unknown, --cache-from is not read. */
  readonly offline: boolean;
  /** The compile diagnostics, as soon as they are known. */
  readonly onDiagnostics?: ((source: SourceFile, diagnostics: readonly Diagnostic[]) => void) | undefined;
  /** `build --explain` with RUN environment flags: they are in the RUNs' keys, as in the build. */
  readonly run?: RunEnvironment | undefined;
}

export type ExplainResult =
  /** The build file has errors (reported through onDiagnostics). */
  | { readonly kind: "invalid"; readonly source: SourceFile }
  /** What a COPY reads could not be read (a source missing from the context, say). */
  | { readonly kind: "failed"; readonly source: SourceFile; readonly error: StepError }
  /** The plan; `refused` when a plan check would stop the build. */
  | { readonly kind: "planned"; readonly source: SourceFile; readonly plan: ExplainPlan; readonly refused: boolean };

export async function explain(r: ExplainRequest): Promise<ExplainResult> {
  const { store } = r;
  await store.init();
  const compiled = await compileBuild({ ...r, bases: r.offline ? "offline" : "inspect" });
  r.onDiagnostics?.(compiled.source, compiled.diagnostics);
  const { source, file } = compiled;
  if (compiled.graph === undefined) return { kind: "invalid", source };
  const graph = r.run === undefined ? compiled.graph : withRunEnvironment(compiled.graph, r.run);
  const context = await BuildContext.open(file.contextDir, file.explicit ? file.path : undefined);
  let plan: BuildPlan;
  const named = await openNamedContexts(r.namedContexts, store.layout.tmp);
  try {
    plan = await planBuild({ layout: store.layout, graph, context, named: named.contexts, image: (ref) => compiled.images.image(ref) });
  } catch (e) {
    if (e instanceof StepError) return { kind: "failed", source, error: e };
    throw e;
  } finally {
    await named.close();
  }
  const cache = new CacheRecords(store.layout);
  const hits = new Set<string>();
  for (const p of plan.parts) if (await cache.has(p.key)) hits.add(p.key);
  const notes = [...compiled.images.notes];
  if (r.cacheFrom.length > 0 && r.offline) notes.push(`--cache-from not read (--offline): ${r.cacheFrom.map(cacheLabel).join(", ")}`);
  else if (r.cacheFrom.length > 0) {
    // The registry client is loaded only for a remote cache.
    const remote = await (await import("../registry/cache-import.ts")).RemoteCache.open(store, r.cacheFrom, r.registry);
    for (const p of plan.parts) if (remote.has(p.key)) hits.add(p.key);
    await remote.close();
  }
  const previous = await loadRecord(store.layout, targetId(file.path, r.target));
  const out = explainPlan({
    graph,
    used: new Set(plan.order),
    parts: plan.parts,
    hit: (k) => hits.has(k),
    unknown: (k) => plan.unknown.has(k),
    previous,
    warnings: plan.warnings.map((w) => w.message),
    notes,
  });
  return { kind: "planned", source, plan: out, refused: plan.warnings.some((w) => w.fatal) };
}
