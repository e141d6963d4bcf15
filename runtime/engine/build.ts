/**
 * `build(request)`: the whole build below the CLI, in its phases —
 * compile (build file → optimized graph, bases pulled), context (opened with
 * its .dockerignore), plan (every cache key before anything runs, and the
 * plan checks), exec (stages in parallel, steps from the cache or run), then
 * the remote cache export, the build record explain compares against, and
 * the tags. The CLI parses flags into a request, calls this and prints; everything up to
 * the plan is prepare.ts, which explain shares.
 */
import type { BuildGraph, Stage } from "../../compiler/ir/graph.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { StepError } from "../errors/step-error.ts";
import { saveRecord } from "../store/build-records.ts";
import { CacheRecords } from "../store/cache-records.ts";
import type { Descriptor } from "../store/content-store.ts";
import { executeGraph, type RemoteLayers } from "./exec/executor.ts";
import type { Progress } from "./exec/progress.ts";
import type { SecretSource } from "./exec/step-sources.ts";
import { startSshAgents } from "./exec/run/ssh-agents.ts";
import type { PlanWarning } from "./plan/checks.ts";
import { wasteWarnings } from "./plan/waste-warnings.ts";
import { type NotPlanned, type PlanRequest, type Prepared, prepareBuild } from "./prepare.ts";
import type { LayerParts } from "../../compiler/explain/parts.ts";
import type { CacheExport } from "../registry/cache-spec.ts";
import type { CacheExporter } from "../registry/cache-export.ts";

export interface BuildRequest extends PlanRequest {
  readonly tags: readonly string[];
  readonly secrets: ReadonlyMap<string, SecretSource>;
  /** SOURCE_DATE_EPOCH: clamps times in layers, history and config. */
  readonly sourceDateEpoch?: number | undefined;
  /** The build cache to write (--cache-to): a registry or a local layout. */
  readonly cacheTo?: CacheExport | undefined;
  readonly progress: Progress;
  /** --label: labels the written image gets over its Dockerfile's. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** The plan checks, before anything runs. */
  readonly onWarnings?: ((warnings: readonly PlanWarning[]) => void) | undefined;
}

export type BuildResult =
  | NotPlanned
  /** A plan check refused the build (reported through onWarnings); nothing ran. */
  | { readonly kind: "refused"; readonly source: SourceFile }
  | {
      readonly kind: "built";
      readonly source: SourceFile;
      /** The image ID. */
      readonly id: string;
      readonly manifest: Descriptor;
      /** The cache keys of the result image's layers (mode=min): what `--cache-to type=inline` exports after the push. */
      /** Layer steps run, and served from the cache. */
      readonly executed: number;
      readonly cached: number;
      /** Found once the layers are written: a file added and deleted by a later layer (plan/waste-warnings.ts). */
      readonly warnings: readonly PlanWarning[];
    };

/** Builds the request's target into the store and names it with its tags. */
export async function build(r: BuildRequest): Promise<BuildResult> {
  // The remote caches open (one GET of each REF) while the Dockerfile is read and its bases pulled; the registry client is loaded only for them.
  const opening = !r.noCache && r.cacheFrom.length > 0 ? import("../registry/cache-import.ts").then((m) => m.RemoteCache.open(r.store, r.cacheFrom, r.registry)) : undefined;
  opening?.catch(() => undefined); // its failure is the build's, once awaited: not an unhandled rejection meanwhile
  const p = await prepareBuild(r, "pull").catch(async (e: unknown) => {
    await closeOpening(opening);
    throw e;
  });
  if (p.kind !== "planned") {
    await closeOpening(opening);
    return p;
  }
  try {
    r.onWarnings?.(p.warnings);
    if (p.warnings.some((w) => w.fatal)) {
      await closeOpening(opening);
      return { kind: "refused", source: p.source };
    }
    return await buildGraph(r, p, opening);
  } catch (e) {
    if (e instanceof StepError) return { kind: "failed", source: p.source, error: e };
    throw e;
  } finally {
    await p.close();
  }
}

/** Closes remote caches opened for a build that does not run. */
async function closeOpening(opening: Promise<RemoteLayers & { close(): Promise<void> }> | undefined): Promise<void> {
  await opening?.then((c) => c.close()).catch(() => undefined);
}

async function buildGraph(r: BuildRequest, p: Prepared & { kind: "planned" }, opening: Promise<RemoteLayers & { close(): Promise<void> }> | undefined): Promise<BuildResult> {
  const { store } = r;
  const { source, graph, plan, context, named } = p;
  const remote = await opening;
  const exporter = await openCacheExport(r).catch(async (e: unknown) => {
    await remote?.close();
    throw e;
  });
  // The layers of the keys the export writes start uploading as their steps finish (cache-export.ts).
  const exported = r.cacheTo !== undefined && r.cacheTo.type !== "inline" ? new Set(exportedParts(graph, plan.parts, r.cacheTo.mode).map((p) => p.key)) : undefined;
  const onLayer = exporter === undefined ? undefined : (key: string, diffId: string, merged: boolean) => (merged || exported?.has(key) === true ? exporter.early(key, diffId) : undefined);
  const agents = await startSshAgents(r.run?.ssh).catch(async (e: unknown) => {
    await remote?.close();
    await exporter?.close();
    throw e;
  });
  try {
    const run = (remoteCache: RemoteLayers | undefined) =>
      executeGraph({
        store,
        plan,
        graph,
        context,
        named,
        progress: r.progress,
        noCache: r.noCache,
        sourceDateEpoch: r.sourceDateEpoch,
        secrets: r.secrets,
        ssh: agents?.sockets,
        remoteCache,
        labels: r.labels,
        onLayer,
      });
    const result = await runWithRemote(run, remote);
    if (exporter !== undefined && r.cacheTo !== undefined) await exportBuildCache(exporter, r.cacheTo, new CacheRecords(store.layout), [...(exported ?? []), ...result.mergedKeys]);
    // --cache-to type=inline: the image is the one with its cache in its config (registry/cache-inline.ts), mode=min.
    const manifest = r.cacheTo?.type === "inline" ? await inlineCache(store, result.manifest, [...exportedParts(graph, plan.parts, "min").map((p) => p.key), ...result.mergedKeys]) : result.manifest;
    await saveRecord(store.layout, p.record, plan.parts);
    const warnings = await wasteWarnings(store, graph, plan.keys.steps, p.record);
    for (const t of r.tags) await store.refs.tag(t, manifest);
    // Untagged, the image is docker's `<none>:<none>`: listed, usable by id, removed by image prune.
    if (r.tags.length === 0) await store.refs.keepUntagged(manifest);
    const id = (await store.loadManifest(manifest)).configDigest;
    return { kind: "built", source, id, manifest, executed: result.executed, cached: result.cached, warnings };
  } finally {
    await agents?.stop();
    await remote?.close();
    await exporter?.close();
  }
}

/**
 * A remote hit's layer is fetched only when needed, so a layer that cannot be had or does not
 * verify shows after the steps above it were taken as hits: the build then runs again (the
 * steps done are local hits now) with that record a miss (RemoteCache warned, naming it); after 5
 * such layers, without the remote cache.
 */
async function runWithRemote<T>(run: (remote: RemoteLayers | undefined) => Promise<T>, remote: RemoteLayers | undefined): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await run(tries < 5 ? remote : undefined);
    } catch (e) {
      if (remote === undefined || tries >= 5 || (e as { cacheKey?: unknown }).cacheKey === undefined) throw e;
    }
  }
}

/** mode=max: every stage's layers; mode=min (buildx's default): the result image's only — the target stage and the stages it is built FROM. */
function exportedParts(graph: BuildGraph, parts: readonly LayerParts[], mode: CacheExport["mode"]): readonly LayerParts[] {
  if (mode === "max") return parts;
  const chain = new Set<number>();
  for (let i: number | undefined = graph.target; i !== undefined && !chain.has(i); ) {
    chain.add(i);
    const base: Stage["base"] | undefined = graph.stages[i]?.base;
    i = base?.type === "stage" ? base.stage : undefined;
  }
  return parts.filter((p) => chain.has(p.stage));
}

/** The image with its inline cache (the registry modules loaded only then). */
async function inlineCache(store: BuildRequest["store"], manifest: Descriptor, keys: readonly string[]): Promise<Descriptor> {
  const { withInlineCache } = await import("../registry/cache-inline.ts");
  return withInlineCache(store, manifest, keys);
}

/** The --cache-to export, opened before the build (the registry client loaded only then); undefined without one, or when it cannot open and ignore-error=true. */
async function openCacheExport(r: BuildRequest): Promise<CacheExporter | undefined> {
  const to = r.cacheTo;
  if (to === undefined || to.type === "inline") return undefined;
  try {
    const { CacheExporter } = await import("../registry/cache-export.ts");
    return new CacheExporter(r.store, to, r.registry);
  } catch (e) {
    if (!to.ignoreError) throw e;
    process.stderr.write(`warning: --cache-to ${to.target}: export failed, ignored (ignore-error=true): ${(e as Error).message}\n`);
    return undefined;
  }
}

/** The --cache-to export's records; with ignore-error=true a failure is a warning, as buildx's. */
async function exportBuildCache(exporter: CacheExporter, to: CacheExport, records: CacheRecords, keys: readonly string[]): Promise<void> {
  try {
    await exporter.finish(records, keys);
  } catch (e) {
    if (!to.ignoreError) throw e;
    process.stderr.write(`warning: --cache-to ${to.target}: export failed, ignored (ignore-error=true): ${(e as Error).message}\n`);
  }
}
