import { digestOf } from "../cache/canonical.ts";
import { type GraphKeys, semanticOp, type StepInput } from "../cache/keys.ts";
import type { BuildGraph, Stage } from "../ir/graph.ts";

/**
 * What each layer step's cache key was made of, kept after a build (the
 * "build record") so that a later explain can say why a key changed. There is
 * one per layer step: every RUN of a merged image layer has its own.
 */
export interface LayerParts {
  readonly stage: number;
  /** Index of the step among the stage's layer steps (per RUN, not per merged image layer). */
  readonly layer: number;
  readonly key: string;
  readonly parent: string;
  /** The stage's base, for the first layer: image (with its ID) or stage. */
  readonly base: string;
  readonly lines: readonly number[];
  readonly texts: readonly string[];
  readonly op: string;
  readonly env: readonly string[];
  readonly input: StepInput;
  /** For COPY/ADD from the context: each file's content hash by path. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface StepFacts {
  readonly input: StepInput;
  readonly files?: Readonly<Record<string, string>>;
}

function baseName(stage: Stage): string {
  const b = stage.base;
  return b.type === "image" ? `${b.ref} (image ID ${b.digest})` : b.type === "stage" ? `stage ${b.stage}` : "scratch";
}

export function layerParts(graph: BuildGraph, keys: GraphKeys, order: readonly number[], facts: (stage: number, step: number) => StepFacts | undefined): LayerParts[] {
  const out: LayerParts[] = [];
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    let parent = keys.bases[i] as string;
    let layer = 0;
    stage.steps.forEach((step, j) => {
      if (step.op === null) return;
      const key = keys.steps[i]?.[j] as string;
      const f = facts(i, j);
      out.push({
        stage: i,
        layer: layer++,
        key,
        parent,
        base: baseName(stage),
        lines: step.sources.map((s) => s.line),
        texts: step.sources.map((s) => s.text),
        op: digestOf(semanticOp(step.op)),
        env: step.op.kind === "run" ? step.op.env : [],
        input: f?.input,
        ...(f?.files !== undefined && { files: f.files }),
      });
      parent = key;
    });
  }
  return out;
}
