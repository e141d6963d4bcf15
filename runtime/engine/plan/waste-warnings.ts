/**
 * The add-then-delete warning (PLAN_COPY_THEN_DELETE), from the layer-waste analysis
 * `strata layers` uses (image/waste/analyze.ts): the target's own layers, one per layer step of
 * the stages it is built FROM (bottom first, each step's own cached layer), are read as the
 * image would stack them, and a file one step adds and a later step deletes is waste the image
 * carries. So it sees what a plain reading of the Dockerfile cannot: a directory COPY followed by
 * `rm -rf`, a wildcard COPY, a file a RUN made and a later RUN deleted. Bytes added and deleted
 * inside one merged RUN group are not waste (the merged layer is resolved), nor are a base image's
 * files. One warning per pair of steps, at the deleting step, naming the biggest file.
 *
 * It needs every step's layer: after a build, or in explain when every step is a cache hit
 * (otherwise no warning, as nothing is known yet). The result is kept beside the target's build
 * record (`builds/<id>.waste.json`, by the layers' diffIDs), so a warm build or explain reads
 * one small file instead of the layers' headers.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "../../../compiler/cache/canonical.ts";
import type { BuildGraph, Stage, Step } from "../../../compiler/ir/graph.ts";
import { atomicWrite } from "../../fs/atomic-write.ts";
import { CacheRecords } from "../../store/cache-records.ts";
import type { Store } from "../../store/store.ts";
import type { PlanWarning } from "./checks.ts";

interface StepLayer {
  readonly diffId: string;
  readonly step: Step;
  /** Steps of one merged RUN group share it. */
  readonly group: number;
}

/** One file's waste, as kept: the layers by their index in the step list. */
interface Wasted {
  readonly path: string;
  readonly size: number;
  readonly addedBy: number;
  readonly removedBy: number;
}

/** The target's stages, the one it is built FROM first. */
function chain(graph: BuildGraph): Stage[] {
  const out: Stage[] = [];
  for (let i: number | undefined = graph.target; i !== undefined && !out.some((s) => s.index === i); ) {
    const stage = graph.stages[i] as Stage;
    out.unshift(stage);
    i = stage.base.type === "stage" ? stage.base.stage : undefined;
  }
  return out;
}

/** Every layer step's own layer, bottom first; undefined when one is not in the cache. */
async function stepLayers(store: Store, graph: BuildGraph, keys: readonly (readonly string[])[]): Promise<StepLayer[] | undefined> {
  const records = new CacheRecords(store.layout);
  const out: StepLayer[] = [];
  let group = 0;
  for (const stage of chain(graph)) {
    for (const [j, step] of stage.steps.entries()) {
      if (step.op === null) continue;
      if (!step.mergeWithPrevious) group++;
      const key = keys[stage.index]?.[j];
      const rec = key === undefined ? undefined : await records.get(key);
      // A hit taken from a remote cache without its layer (registry/cache-import.ts): not known here.
      if (rec === undefined || (rec.diffId !== null && !(await store.content.has(rec.diffId)))) return undefined;
      if (rec.diffId !== null) out.push({ diffId: rec.diffId, step, group });
    }
  }
  return out;
}

const decimal = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

function kind(step: Step): string {
  const op = step.op;
  if (op?.kind === "copy") return op.add ? "ADD" : "COPY";
  return op?.kind === "run" ? "RUN" : (step.sources[0]?.text.split(/\s/)[0]?.toUpperCase() ?? "step");
}

function warning(adder: Step, remover: Step, files: readonly Wasted[]): PlanWarning {
  const biggest = [...files].sort((a, b) => b.size - a.size)[0] as Wasted;
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const what = kind(adder);
  const at = remover.sources[0];
  const by = kind(remover) === "RUN" ? "this RUN" : `this ${kind(remover)}`;
  const message =
    files.length === 1
      ? `${at?.file}:${at?.line}: ${biggest.path} is added by ${what} at line ${adder.sources[0]?.line} and deleted by ${by}; its bytes stay in the ${what} layer (${decimal(bytes)})`
      : `${at?.file}:${at?.line}: ${biggest.path} and ${files.length - 1} more files are added by ${what} at line ${adder.sources[0]?.line} and deleted by ${by}; their bytes stay in the ${what} layer (${decimal(bytes)})`;
  return { code: "PLAN_COPY_THEN_DELETE", fatal: false, message };
}

/** The files deleted by a later step of another layer, from the kept result or the layers' headers. */
async function wasted(store: Store, record: string, layers: readonly StepLayer[]): Promise<Wasted[]> {
  const path = join(store.layout.root, "builds", `${record}.waste.json`);
  const chainId = sha256Hex(layers.map((l) => l.diffId).join("\n"));
  const kept = JSON.parse(await readFile(path, "utf8").catch(() => "{}")) as { chain?: string; wasted?: Wasted[] };
  if (kept.chain === chainId && kept.wasted) return kept.wasted;
  // The analysis (tar readers, decompressors) is loaded only when a chain of layers is new.
  const { wasteOfDiffIds } = await import("../../image/waste/analyze.ts");
  const all = await wasteOfDiffIds(
    store,
    layers.map((l) => l.diffId),
  );
  const out = all.filter((w) => w.how === "deleted" && layers[w.addedBy]?.group !== layers[w.removedBy]?.group).map(({ path, size, addedBy, removedBy }) => ({ path, size, addedBy, removedBy }));
  await atomicWrite(path, JSON.stringify({ chain: chainId, wasted: out }), store.layout.tmp).catch(() => undefined);
  return out;
}

/** The add-then-delete warnings of the target's layers; none while a step's layer is unknown. */
export async function wasteWarnings(store: Store, graph: BuildGraph, keys: readonly (readonly string[])[], record: string): Promise<PlanWarning[]> {
  const layers = await stepLayers(store, graph, keys);
  if (layers === undefined || layers.length < 2) return [];
  const byPair = new Map<string, Wasted[]>();
  for (const w of await wasted(store, record, layers)) {
    const k = `${w.addedBy} ${w.removedBy}`;
    byPair.set(k, [...(byPair.get(k) ?? []), w]);
  }
  return [...byPair.values()].map((files) => warning((layers[files[0]?.addedBy ?? 0] as StepLayer).step, (layers[files[0]?.removedBy ?? 0] as StepLayer).step, files));
}
