import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { computeKeys, type GraphKeys, type StepInput } from "../../compiler/cache/keys.ts";
import type { BuildGraph, Stage, Step } from "../../compiler/ir/graph.ts";
import { stageDependencies } from "../../compiler/ir/stages.ts";
import type { ContainerConfig } from "../../compiler/ir/image-config.ts";
import { writeLayer } from "../layer/write-layer.ts";
import { killAll } from "../runc/runc.ts";
import { mount, unmount } from "../snapshot/mount.ts";
import { type ActiveSnapshot, OverlaySnapshotter } from "../snapshot/overlay.ts";
import type { Descriptor } from "../store/content-store.ts";
import { type HistoryEntry, type ImageConfigJson, MediaType } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { CacheRecords } from "./cache-records.ts";
import type { BuildContext } from "./context.ts";
import { contextDigest } from "./context-hash.ts";
import { copyFromContext } from "./copy.ts";
import { StepError } from "./errors.ts";
import type { Progress } from "./progress.ts";
import { runStep } from "./run-step.ts";

/** The filesystem and config a stage ends with. */
interface StageResult {
  readonly layers: Descriptor[];
  readonly diffIds: string[];
  readonly history: HistoryEntry[];
  readonly config: ContainerConfig;
  readonly created: string;
}

export interface ExecuteOptions {
  readonly store: Store;
  readonly graph: BuildGraph;
  readonly context: BuildContext;
  readonly progress: Progress;
  readonly noCache?: boolean;
  /** Seconds since the epoch: clamps times in layers, history and config. */
  readonly sourceDateEpoch?: number | undefined;
}

export interface ExecuteResult {
  readonly manifest: Descriptor;
  readonly config: ImageConfigJson;
  readonly keys: GraphKeys;
  /** How many steps ran (not served from cache). */
  readonly executed: number;
  readonly cached: number;
}

/**
 * Executes a build graph: for each stage the target needs, walks its steps;
 * a layer step whose cache key has a record is served from the cache,
 * otherwise it runs on a fresh overlay snapshot and its upper dir becomes the
 * layer. Config-only steps make history entries with `empty_layer`.
 */
export async function executeGraph(o: ExecuteOptions): Promise<ExecuteResult> {
  const { store, graph, progress } = o;
  const snapshots = new OverlaySnapshotter(store.layout, store.content);
  const cache = new CacheRecords(store.layout);
  const order = stageDependencies(graph, graph.target);
  const inputs = new Map<string, StepInput>();
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    for (const [j, step] of stage.steps.entries()) {
      if (step.op?.kind === "copy" && step.op.from.type === "context") {
        try {
          inputs.set(`${i}:${j}`, { context: (await contextDigest(o.context, step.op)).digest });
        } catch (e) {
          throw new StepError("COPY_SOURCE", `${step.sources[0]?.text}: ${(e as Error).message}`, step.sources[0] as Step["sources"][0]);
        }
      }
    }
  }
  const keys = computeKeys(graph, order, (i, j) => inputs.get(`${i}:${j}`));
  const now = o.sourceDateEpoch !== undefined ? new Date(o.sourceDateEpoch * 1000).toISOString() : new Date().toISOString();
  const results: StageResult[] = [];
  let stepNo = 0;
  let executed = 0;
  let cachedCount = 0;

  const onSignal = (sig: NodeJS.Signals): void => {
    void killAll().finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    for (const i of order) {
      const stage = graph.stages[i] as Stage;
      const label = stage.name ?? `stage-${i}`;
      const total = stage.steps.length + 1;
      let state = await baseResult(o, snapshots, stage, results);
      progress.start(++stepNo, `[${label} 1/${total}] FROM ${stage.base.type === "image" ? stage.base.ref : stage.base.type === "stage" ? (graph.stages[stage.base.stage]?.name ?? stage.base.stage) : "scratch"}`);
      progress.done(stepNo, 0);
      for (const [j, step] of stage.steps.entries()) {
        const source = step.sources[0] as Step["sources"][0];
        if (step.op === null) {
          state = { ...state, config: step.config, history: [...state.history, ...step.createdBy.map((c) => ({ created: state.created, created_by: c, empty_layer: true }))] };
          continue;
        }
        const id = ++stepNo;
        progress.start(id, `[${label} ${j + 2}/${total}] ${source.text}`);
        const key = keys.steps[i]?.[j] as string;
        const hit = o.noCache ? undefined : await cache.get(key);
        if (hit && (await snapshots.hasLayer(hit.diffId)) && (await store.content.has(hit.diffId))) {
          progress.cached(id);
          cachedCount++;
          state = addLayer(state, step, hit.diffId, hit.size, hit.created);
          continue;
        }
        const started = performance.now();
        const layer = await runLayerStep(o, snapshots, state, stage, step, id, results);
        const created = o.sourceDateEpoch !== undefined ? now : new Date().toISOString();
        await cache.put(key, { diffId: layer.diffId, size: layer.size, created });
        progress.done(id, (performance.now() - started) / 1000);
        executed++;
        state = addLayer(state, step, layer.diffId, layer.size, created);
      }
      results[i] = state;
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  const target = results[graph.target] as StageResult;
  const stage = graph.stages[graph.target] as Stage;
  const [os = "linux", architecture = "amd64", variant] = stage.platform.split("/");
  const config: ImageConfigJson = {
    created: target.created,
    architecture,
    os,
    ...(variant !== undefined && { variant }),
    config: target.config,
    rootfs: { type: "layers", diff_ids: target.diffIds },
    history: target.history,
  };
  const manifest = await store.writeImage(config, target.layers);
  return { manifest, config, keys, executed, cached: cachedCount };
}

function addLayer(state: StageResult, step: Step, diffId: string, size: number, created: string): StageResult {
  return {
    layers: [...state.layers, { mediaType: MediaType.layer, digest: diffId, size }],
    diffIds: [...state.diffIds, diffId],
    history: [...state.history, ...step.createdBy.map((c, k) => ({ created, created_by: c, ...(k < step.createdBy.length - 1 && { empty_layer: true }) }))],
    config: step.config,
    created,
  };
}

async function baseResult(o: ExecuteOptions, snapshots: OverlaySnapshotter, stage: Stage, results: StageResult[]): Promise<StageResult> {
  const b = stage.base;
  if (b.type === "scratch") return { layers: [], diffIds: [], history: [], config: stage.baseConfig, created: new Date(0).toISOString() };
  if (b.type === "stage") {
    const r = results[b.stage];
    if (!r) throw new Error(`internal: stage ${b.stage} not built before stage ${stage.index}`);
    return { ...r, config: stage.baseConfig };
  }
  const img = await o.store.getImage(b.ref);
  const diffIds = img.config.rootfs.diff_ids;
  for (const [k, layer] of img.manifest.layers.entries()) await snapshots.ensureLayer(diffIds[k] as string, layer.digest);
  return { layers: [...img.manifest.layers], diffIds: [...diffIds], history: [...(img.config.history ?? [])], config: stage.baseConfig, created: img.config.created ?? new Date(0).toISOString() };
}

async function runLayerStep(o: ExecuteOptions, snapshots: OverlaySnapshotter, state: StageResult, stage: Stage, step: Step, id: number, _results: StageResult[]): Promise<{ diffId: string; size: number }> {
  const op = step.op;
  if (op === null) throw new Error("internal: config-only step has no layer");
  const snap: ActiveSnapshot = await snapshots.prepare(state.diffIds);
  const source = step.sources[0] as Step["sources"][0];
  let mounted = false;
  try {
    await mount(snap.mount, snap.merged);
    mounted = true;
    if (op.kind === "run") {
      const output: string[] = [];
      const failure = await runStep({
        runcRoot: o.store.layout.runc,
        snapshot: snap,
        op,
        onOutput: (chunk) => {
          output.push(chunk.toString());
          o.progress.output(id, chunk);
        },
      });
      if (failure) {
        const failed = step.sources[failure.command] ?? source;
        throw new StepError("RUN_FAILED", `process "${op.commands[failure.command]?.args.join(" ")}" did not complete successfully: exit code: ${failure.exitCode}`, failed, failure.exitCode, output.join(""));
      }
    } else if (op.from.type === "context") {
      try {
        await copyFromContext(o.context, op, snap.merged);
      } catch (e) {
        throw new StepError("COPY_FAILED", (e as Error).message, source);
      }
    } else {
      throw new StepError("UNSUPPORTED", `${source.text}: copying from ${op.from.type} is not supported yet`, source);
    }
    await unmount(snap.merged);
    mounted = false;
    const tmp = join(o.store.layout.tmp, `layer-${snap.id}.tar`);
    const layer = await writeLayer(snap.upper, tmp, o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {});
    if (await o.store.content.has(layer.diffId)) await rm(tmp, { force: true });
    else await rename(tmp, o.store.layout.blob(layer.diffId));
    await snapshots.adopt(snap.upper, layer.diffId);
    void stage;
    return layer;
  } finally {
    if (mounted) await unmount(snap.merged);
    await snapshots.discard(snap);
  }
}
