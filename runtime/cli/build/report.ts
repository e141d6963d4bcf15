/**
 * `strata build --report FILE.html`: the explain page (compiler/report/) of the build as it ran.
 * Before the build, the request is explained (the same plan the build makes: which layers hit,
 * why the others miss, the key parts); during it, the progress sink is wrapped (as
 * engine/platform-progress.ts wraps it) to note each step's time and whether it was cached, by
 * its progress name, which engine/exec/step-names.ts gives every layer step; after it, each
 * step's layer size comes from its cache record (the layer the build wrote). The page is written
 * to a temporary file beside FILE, then renamed over it.
 */
import { dirname, resolve } from "node:path";
import type { Stage } from "../../../compiler/ir/graph.ts";
import type { StepRun } from "../../../compiler/report/facts.ts";
import type { Progress } from "../../engine/exec/progress.ts";
import { stageStepNames } from "../../engine/exec/step-names.ts";
import { type ExplainResult, explain } from "../../engine/explain.ts";
import type { PlanRequest } from "../../engine/prepare.ts";
import { atomicWrite } from "../../fs/atomic-write.ts";
import { CacheRecords } from "../../store/cache-records.ts";
import type { Store } from "../../store/store.ts";

type Planned = Extract<ExplainResult, { kind: "planned" }>;

export interface BuildReport {
  /** The sink to build with: `sink`, with each step's events noted. */
  readonly progress: Progress;
  /** After a built build: the page written to the file. */
  write(): Promise<void>;
}

/** Plans the request (nothing runs) and returns the noting sink; undefined when it cannot be planned (the build then fails as it would). */
export async function startReport(store: Store, request: PlanRequest, sink: Progress, file: string): Promise<BuildReport | undefined> {
  const planned = await explain({ ...request, offline: false, onDiagnostics: () => undefined });
  if (planned.kind !== "planned") return undefined;
  const started = new Map<number, { label: string; at: number }>();
  const ended = new Map<string, { seconds: number; cached: boolean }>();
  const progress: Progress = {
    start: (id, label) => {
      started.set(id, { label, at: performance.now() });
      sink.start(id, label);
    },
    output: (id, chunk) => sink.output(id, chunk),
    cached: (id) => {
      const s = started.get(id);
      if (s !== undefined) ended.set(s.label, { seconds: 0, cached: true });
      sink.cached(id);
    },
    done: (id, seconds) => {
      const s = started.get(id);
      if (s !== undefined) ended.set(s.label, { seconds, cached: false });
      sink.done(id, seconds);
    },
    failed: (id, message) => sink.failed(id, message),
    info: (message) => sink.info(message),
    close: () => sink.close(),
  };
  return { progress, write: async () => writeReport(store, planned, ended, file) };
}

async function writeReport(store: Store, planned: Planned, ended: ReadonlyMap<string, { seconds: number; cached: boolean }>, file: string): Promise<void> {
  const { graph, parts } = planned;
  const records = new CacheRecords(store.layout);
  const steps = new Map<string, StepRun>();
  for (const stage of graph.stages) {
    const names = stageStepNames(graph, stage as Stage).steps;
    // The k-th layer step of a stage is the k-th entry of its parts (explain/parts.ts).
    const own = parts.filter((p) => p.stage === stage.index);
    let k = 0;
    for (const name of names) {
      if (name === undefined) continue;
      const p = own[k++];
      const run = ended.get(name);
      if (p === undefined || run === undefined) continue;
      const record = await records.get(p.key);
      steps.set(p.key, { ...run, size: record === undefined ? null : record.diffId === null ? 0 : record.size });
    }
  }
  const { renderReport } = await import("../../../compiler/report/page.ts");
  const page = await renderReport(planned.plan, { parts, steps, title: "build report" });
  const path = resolve(file);
  await atomicWrite(path, page, dirname(path));
}
