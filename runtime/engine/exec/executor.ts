import { join } from "node:path";
import { mapLimit } from "../../fs/pool.ts";
import type { BuildGraph, Stage } from "../../../compiler/ir/graph.ts";
import type { ContainerConfig } from "../../../compiler/ir/image-config.ts";
import { StrataError } from "../../errors/error.ts";
import { unpackLayers } from "../../registry/refetch.ts";
import { killAll } from "../../runc/runc.ts";
import type { OverlaySnapshotter } from "../../snapshot/overlay.ts";
import { snapshotterFor } from "../../snapshot/select.ts";
import type { Descriptor } from "../../store/content-store.ts";
import type { HistoryEntry, ImageConfigJson } from "../../store/oci.ts";
import type { Store } from "../../store/store.ts";
import { type CacheRecord, CacheRecords } from "../../store/cache-records.ts";
import type { BuildContext } from "../context/context.ts";
import { makeLayer } from "./layer-step.ts";
import { type GroupStep, writeGroup } from "./merge-group.ts";
import { dropPrefix, STAGE_MIN, type StagedPrefix, stagePrefix } from "./merge-prefix.ts";
import type { BuildPlan } from "../plan/plan.ts";
import type { Progress } from "./progress.ts";
import { ReadOnlyRoots } from "./roots.ts";
import { stageStepNames } from "./step-names.ts";
import type { SecretSource, StepSources } from "./step-sources.ts";

function exitCodeOf(sig: NodeJS.Signals): number {
  return sig === "SIGINT" ? 130 : 143;
}

/** The build was stopped by a signal; it cleaned up, and the command exits 130 or 143. */
export class InterruptedError extends StrataError {
  readonly #exit: number;
  constructor(sig: NodeJS.Signals) {
    super("INTERRUPTED", `interrupted by ${sig}`);
    this.#exit = exitCodeOf(sig);
  }
  override get exit(): number {
    return this.#exit;
  }
}

/** The filesystem and config a stage ends with. */
export interface StageResult {
  /** The image's layers (merged groups as one). */
  readonly layers: Descriptor[];
  readonly diffIds: string[];
  /** The per-step layers, bottom first: what the next step's snapshot stands on. */
  readonly chain: string[];
  readonly history: HistoryEntry[];
  readonly config: ContainerConfig;
  readonly created: string;
  /** The image's author: the base's, or the last MAINTAINER's. */
  readonly author?: string | undefined;
}

export interface ExecuteOptions {
  readonly store: Store;
  readonly graph: BuildGraph;
  readonly context: BuildContext;
  readonly named?: ReadonlyMap<string, BuildContext>;
  readonly progress: Progress;
  readonly noCache?: boolean;
  /** Seconds since the epoch: clamps times in layers, history and config. */
  readonly sourceDateEpoch?: number | undefined;
  readonly secrets?: ReadonlyMap<string, SecretSource>;
  /** `build --ssh`: the agent socket of each id (StepSources.ssh). */
  readonly ssh?: ReadonlyMap<string, string> | undefined;
  /**
   * An imported remote cache (--cache-from): asked for a step's record when it missed locally; a
   * hit's layer is fetched (`layer`) only when its bytes are needed (see executeGraph).
   */
  readonly remoteCache?: RemoteLayers | undefined;
  /** The keys, computed before anything runs (plan/plan.ts). */
  readonly plan: BuildPlan;
  /** --label: set on the written image's config over the Dockerfile's LABELs, as BuildKit's dockerfile frontend sets them on the target. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Told of each layer a step (or a merged group: `merged`) made, once it is stored and its record kept: a --cache-to export starts its upload then. */
  readonly onLayer?: ((key: string, diffId: string, merged: boolean) => void) | undefined;
}

/** What the executor asks of a remote cache (registry/cache-import.ts's RemoteCache). */
export interface RemoteLayers {
  /** The record of `key`, its layer not fetched. */
  lookup(key: string): Promise<CacheRecord | undefined>;
  /** Brings a layer a looked-up record named into the store; throws when it cannot (the build runs again without that record). */
  layer(diffId: string): Promise<void>;
}

export interface ExecuteResult {
  readonly manifest: Descriptor;
  readonly config: ImageConfigJson;
  readonly plan: BuildPlan;
  /** How many layer steps ran (not served from cache). */
  readonly executed: number;
  readonly cached: number;
  /** The cache keys of the merged layers the image got (exported with the steps' by --cache-to). */
  readonly mergedKeys: readonly string[];
}

/** A record whose layer is stored is a hit (what explain predicts, CacheRecords.has): a snapshot gc took is unpacked again from the layer. */
async function usableRecord(store: Store, r: CacheRecord | undefined): Promise<boolean> {
  return r !== undefined && (r.diffId === null || (await store.content.has(r.diffId)));
}

/** Remote lookups at once, at most this many in flight. */
const LOOKAHEAD = 6;

/**
 * Asks the remote cache, all at once, for the record of every step the local cache cannot
 * serve: the keys are known before anything runs (plan.ts), and a step then finds its answer
 * there (RemoteCache keeps each lookup) instead of waiting for two requests in turn. The same
 * requests the steps would make, made sooner; a failure is the step's to report.
 */
async function askAhead(remote: RemoteLayers, graph: BuildGraph, plan: BuildPlan, cache: CacheRecords, store: Store): Promise<void> {
  const keys: string[] = [];
  for (const i of plan.order) {
    for (const [j, step] of (graph.stages[i]?.steps ?? []).entries()) {
      const key = plan.keys.steps[i]?.[j];
      if (step.op === null || key === undefined || keys.includes(key)) continue;
      if (await usableRecord(store, await cache.get(key))) continue;
      keys.push(key);
    }
  }
  await mapLimit(keys, LOOKAHEAD, (k) => remote.lookup(k).catch(() => undefined));
}

/**
 * Executes a build graph. The stages the target needs run as soon as the
 * stages they read from are done, so independent stages run at the same time.
 * In a stage, a layer step whose cache key has a record is served from the
 * cache; otherwise it runs on a fresh overlay snapshot over the per-step
 * layers before it and its upper dir becomes its layer. Steps that the
 * merge-runs pass groups are then combined into one image layer
 * (merge-group.ts). Config-only steps make history entries with `empty_layer`.
 *
 * A remote cache's hit is taken on its record alone; its layer is downloaded (`need`) only when
 * its bytes are needed: a step that runs on top of it, a stage root mounted on it (COPY --from, RUN
 * --mount from a stage, whose step missed), a merge group merged here, or the image written at the
 * end (its layers must be in the store). Skipped: the layers of every hit nothing of these reaches
 * — a fully cached builder stage whose COPY --from hit (its merged layers too), the per-step
 * layers of a merged group whose merged layer hit — and the unpacking of every remote hit no
 * step stands on.
 */
export async function executeGraph(o: ExecuteOptions): Promise<ExecuteResult> {
  const { store, graph, progress } = o;
  const snapshots = await snapshotterFor(store);
  const cache = new CacheRecords(store.layout);
  const plan = o.plan;
  const { order, keys } = plan;
  const roots = new ReadOnlyRoots(snapshots);
  const results = new Map<number, Promise<StageResult>>();
  const counters = { step: 0, executed: 0, cached: 0 };
  if (o.remoteCache && !o.noCache) void askAhead(o.remoteCache, graph, plan, cache, store).catch(() => undefined);
  const mergedKeys: string[] = [];
  // An image is read for its stage's platform (FROM), else the target's (COPY --from, RUN --mount from=).
  const platformOf = imagePlatforms(graph);
  const image = (ref: string) => store.getImage(ref, platformOf(ref));
  // A remote hit's layer, brought in when its bytes are needed (see above); unpacked too for a root to stand on.
  // A remote hit's record is kept here (cache/) once its layer is: a record whose layer is missing is a broken one (system verify).
  const unfetched = new Map<string, [string, CacheRecord][]>();
  // A remote cache's record of `key`, kept here now when it has no layer or its layer is here, else once it is fetched.
  const remoteHit = async (key: string): Promise<CacheRecord | undefined> => {
    const r = await o.remoteCache?.lookup(key);
    if (r === undefined) return undefined;
    if (r.diffId === null || (await store.content.has(r.diffId))) await cache.put(key, r);
    else unfetched.set(r.diffId, [...(unfetched.get(r.diffId) ?? []), [key, r]]);
    return r;
  };
  const need = async (diffIds: readonly string[], unpack: boolean): Promise<void> => {
    for (const d of diffIds) {
      const records = unfetched.get(d);
      if (records !== undefined && o.remoteCache) {
        if (!(await store.content.has(d))) await o.remoteCache.layer(d);
        for (const [key, r] of records) await cache.put(key, r);
        unfetched.delete(d);
      }
      if (unpack && !(await snapshots.has(d))) await snapshots.unpack(d, d);
    }
  };
  const sources: StepSources = {
    context: o.context,
    ...(o.named !== undefined && { named: o.named }),
    stageRoot: async (i) => {
      const chain = (await (results.get(i) as Promise<StageResult>)).chain;
      await need(chain, true);
      return roots.root(chain);
    },
    imageRoot: async (ref) => {
      const img = await image(ref);
      await ensureImageLayers(store, snapshots, img.config.rootfs.diff_ids, img.manifest.layers);
      return roots.root(img.config.rootfs.diff_ids);
    },
    layersOf: async (from) => ("stage" in from ? (await (results.get(from.stage) as Promise<StageResult>)).chain : (await image(from.image)).config.rootfs.diff_ids),
    secrets: o.secrets ?? new Map(),
    ssh: o.ssh,
    cacheMounts: join(store.layout.root, "cache-mounts"),
  };

  const buildStage = async (stage: Stage): Promise<StageResult> => {
    const names = stageStepNames(graph, stage);
    const base = stage.base;
    if (base.type === "stage") await results.get(base.stage);
    let state = await baseResult(o, snapshots, stage, results);
    if (names.from !== undefined) {
      const fromId = ++counters.step;
      progress.start(fromId, names.from);
      progress.done(fromId, 0);
    }
    let group: GroupStep[] = [];
    let below: string[] = [];
    let staged: Promise<StagedPrefix | undefined> | undefined;
    const flush = async (): Promise<void> => {
      const g = { steps: group, below, staged };
      group = [];
      staged = undefined;
      if (g.steps.length > 0) state = await writeGroup({ store, snapshots, cache, roots, noCache: o.noCache === true, sorted: o.sourceDateEpoch !== undefined, remoteHit: o.remoteCache ? remoteHit : undefined, need, mergedKeys, onLayer: o.onLayer }, state, g);
    };
    try {
      for (const [j, step] of stage.steps.entries()) {
        if (!step.mergeWithPrevious) await flush();
        if (step.op === null) {
          state = { ...state, config: step.config, author: step.author ?? state.author, history: [...state.history, ...step.createdBy.map((c) => ({ created: state.created, created_by: c, ...(step.comment !== undefined && { comment: step.comment }), empty_layer: true }))] };
          continue;
        }
        const op = step.op;
        // A COPY --from or RUN --mount from another stage waits for that stage.
        if (op.kind === "copy" && op.from.type === "stage") await results.get(op.from.stage);
        if (op.kind === "run") for (const m of op.mounts) if (m.from && "stage" in m.from) await results.get(m.from.stage);
        const id = ++counters.step;
        progress.start(id, names.steps[j] as string);
        const key = keys.steps[stage.index]?.[j] as string;
        const usable = (r: CacheRecord | undefined): Promise<boolean> => usableRecord(store, r);
        let hit = o.noCache ? undefined : await cache.get(key);
        let fromRemote = false;
        if (!o.noCache && o.remoteCache && !(await usable(hit))) {
          // A local miss: the remote cache's record for this key instead of running the step; its layer is fetched when needed.
          const remote = await remoteHit(key);
          if (remote) {
            hit = remote;
            fromRemote = true;
          }
        }
        let done: GroupStep;
        if (hit !== undefined && (fromRemote || (await usable(hit)))) {
          if (!fromRemote && hit.diffId !== null && !(await snapshots.has(hit.diffId))) await snapshots.unpack(hit.diffId, hit.diffId);
          progress.cached(id);
          counters.cached++;
          done = { step, diffId: hit.diffId, size: hit.size, created: hit.created };
        } else {
          // The step runs on the layers below it: remote hits' among them fetched and unpacked now.
          await need(state.chain, true).catch((e: Error) => {
            progress.failed(id, e.message);
            throw e;
          });
          // A RUN that joins a group with a big first layer: that layer starts the merged one, copied while this runs.
          const head = step.mergeWithPrevious ? group.find((g) => g.diffId !== null) : undefined;
          if (staged === undefined && head !== undefined && head.size >= STAGE_MIN) staged = stagePrefix(store, head.diffId as string, head.size);
          const started = performance.now();
          const layer = await makeLayer({ store, snapshots, sources, parents: state.chain, step, onOutput: (c) => progress.output(id, c), sourceDateEpoch: o.sourceDateEpoch }).catch((e: Error) => {
            progress.failed(id, e.message);
            throw e;
          });
          const created = o.sourceDateEpoch !== undefined ? new Date(o.sourceDateEpoch * 1000).toISOString() : new Date().toISOString();
          done = { step, diffId: layer?.diffId ?? null, size: layer?.size ?? 0, created };
          await cache.put(key, { diffId: done.diffId, size: done.size, created });
          if (done.diffId !== null) o.onLayer?.(key, done.diffId, false);
          progress.done(id, (performance.now() - started) / 1000);
          counters.executed++;
        }
        // The step joins the current group; its own layer is what the next step stands on.
        if (group.length === 0) below = state.chain;
        group.push(done);
        if (done.diffId !== null) state = { ...state, chain: [...state.chain, done.diffId] };
      }
      await flush();
    } finally {
      await dropPrefix(staged);
    }
    return state;
  };

  // SIGINT/SIGTERM: kill the running containers; each step then fails and cleans up after itself
  // (unmounts, scratch dirs) on the way out, and the build ends with InterruptedError.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = sig;
    void killAll();
    setTimeout(() => process.exit(exitCodeOf(sig)), 15_000).unref();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let target: StageResult;
  try {
    for (const i of order) results.set(i, buildStage(graph.stages[i] as Stage));
    // Every stage settles before the roots they read are unmounted; the first failure is the build's.
    const settled = await Promise.allSettled(results.values());
    if (interrupted) throw new InterruptedError(interrupted);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    target = await (results.get(graph.target) as Promise<StageResult>);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await roots.close();
  }
  const stage = graph.stages[graph.target] as Stage;
  const [os = "linux", architecture = "amd64", variant] = stage.platform.split("/");
  const config: ImageConfigJson = {
    created: target.created,
    ...(target.author !== undefined && { author: target.author }),
    architecture,
    os,
    ...(variant !== undefined && { variant }),
    config: o.labels && Object.keys(o.labels).length > 0 ? { ...target.config, Labels: { ...target.config.Labels, ...o.labels } } : target.config,
    rootfs: { type: "layers", diff_ids: target.diffIds },
    history: target.history,
  };
  // The image's layers must be in the store: the remote hits' among them are fetched now.
  await need(
    target.layers.map((l) => l.digest),
    false,
  );
  const manifest = await store.writeImage(config, target.layers);
  return { manifest, config, plan, executed: counters.executed, cached: counters.cached, mergedKeys };
}

/** The platform to read an image for: its FROM stage's, else the target stage's. */
function imagePlatforms(graph: BuildGraph): (ref: string) => string | undefined {
  const byRef = new Map<string, string>();
  for (const s of graph.stages) if (s.base.type === "image" && !byRef.has(s.base.ref)) byRef.set(s.base.ref, s.platform);
  const target = graph.stages[graph.target]?.platform;
  return (ref) => byRef.get(ref) ?? target;
}

/** An image's layers unpacked to build on; a corrupt pulled blob is fetched again, not used (registry/refetch.ts). */
function ensureImageLayers(store: Store, snapshots: OverlaySnapshotter, diffIds: readonly string[], layers: readonly Descriptor[]): Promise<void> {
  return unpackLayers(store, snapshots, diffIds, layers);
}

async function baseResult(o: ExecuteOptions, snapshots: OverlaySnapshotter, stage: Stage, results: Map<number, Promise<StageResult>>): Promise<StageResult> {
  const b = stage.base;
  if (b.type === "scratch") return { layers: [], diffIds: [], chain: [], history: [], config: stage.baseConfig, created: new Date(0).toISOString() };
  if (b.type === "stage") {
    const r = await results.get(b.stage);
    if (!r) throw new Error(`internal: stage ${b.stage} not built before stage ${stage.index}`);
    return { ...r, config: stage.baseConfig };
  }
  const img = await o.store.getImage(b.ref, stage.platform);
  const diffIds = img.config.rootfs.diff_ids;
  await ensureImageLayers(o.store, snapshots, diffIds, img.manifest.layers);
  return {
    layers: [...img.manifest.layers],
    diffIds: [...diffIds],
    chain: [...diffIds],
    history: [...(img.config.history ?? [])],
    config: stage.baseConfig,
    created: img.config.created ?? new Date(0).toISOString(),
    author: img.config.author,
  };
}
