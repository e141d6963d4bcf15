import type { BuildGraph, Stage } from "../../../compiler/ir/graph.ts";
import { fullName, parseImageName } from "../../../compiler/ir/image-ref.ts";

/** Whether a step reads an image other than its stage's base (BuildKit gives that image a stage of its own). */
function readsImage(stage: Stage): boolean {
  return stage.steps.some((s) => (s.op?.kind === "copy" && s.op.from.type === "image") || (s.op?.kind === "run" && s.op.mounts.some((m) => m.from !== undefined && "image" in m.from)));
}

/** docker.io/library/busybox:latest, as BuildKit names the base (reference.TagNameOnly). */
function fullRef(ref: string): string {
  const n = parseImageName(ref);
  return n === undefined ? ref : fullName(n);
}

/**
 * The progress names of a stage's vertices, as BuildKit's dockerfile frontend
 * (prefixCommand) writes them: `[NAME i/n] TEXT`, where n counts the FROM of
 * an image (not of scratch or another stage: those make no vertex) and every
 * RUN, COPY, ADD and WORKDIR, i is right-aligned to n's width, and config-only
 * instructions (ARG, ENV, LABEL, CMD…) get no number, being no vertex; FROM names
 * the base in full (without the digest BuildKit appends once resolved). NAME is
 * the stage's name or stage-N, left out when the Dockerfile has one stage
 * and reads no other image.
 */
export function stageStepNames(graph: BuildGraph, stage: Stage): { from: string | undefined; steps: (string | undefined)[] } {
  const fromImage = stage.base.type === "image";
  const total = (fromImage ? 1 : 0) + stage.steps.filter((s) => s.op !== null).length;
  const single = graph.stages.length === 1 && !readsImage(stage);
  const name = single ? "" : `${stage.name ?? `stage-${stage.index}`} `;
  const width = String(total).length;
  let index = 0;
  const prefix = (): string => `[${name}${String(++index).padStart(width)}/${total}]`;
  const from = stage.base.type === "image" ? `${prefix()} FROM ${fullRef(stage.base.ref)}` : undefined;
  const steps = stage.steps.map((s) => (s.op === null ? undefined : `${prefix()} ${s.sources[0]?.text ?? ""}`));
  return { from, steps };
}
