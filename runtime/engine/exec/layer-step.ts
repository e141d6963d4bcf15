import { readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SourceRef, Step } from "../../../compiler/ir/graph.ts";
import { writeLayer } from "../../layer/write-layer.ts";
import { mount, unmount } from "../../fs/mount.ts";
import type { OverlaySnapshotter } from "../../snapshot/overlay.ts";
import type { Store } from "../../store/store.ts";
import { copyInto } from "./copy/index.ts";
import { StepError } from "../../errors/step-error.ts";
import { runStep } from "./run-step.ts";
import { makeWorkdir } from "./workdir-step.ts";
import type { StepSources } from "./step-sources.ts";

export interface LayerStepInput {
  readonly store: Store;
  readonly snapshots: OverlaySnapshotter;
  readonly sources: StepSources;
  /** The layers below (bottom first). */
  readonly parents: readonly string[];
  readonly step: Step;
  readonly onOutput: (chunk: Buffer) => void;
  readonly sourceDateEpoch?: number | undefined;
}

/**
 * Makes one layer: prepares an overlay snapshot over the parents, runs the
 * RUN or COPY in its merged view, unmounts, writes the upper dir as the layer
 * tar into the store, and keeps the upper dir as the layer's snapshot.
 */
/** The layer a step made; undefined when it changed nothing (the image then gets no layer for it, only history). */
export async function makeLayer(o: LayerStepInput): Promise<{ diffId: string; size: number } | undefined> {
  const { step, snapshots } = o;
  const op = step.op;
  if (op === null) throw new Error("internal: config-only step has no layer");
  const source = step.sources[0] as SourceRef;
  const snap = await snapshots.prepare(o.parents);
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
        sources: o.sources,
        onOutput: (chunk) => {
          output.push(chunk.toString());
          o.onOutput(chunk);
        },
      });
      if (failure) {
        const failed = step.sources[failure.command] ?? source;
        const argv = op.commands[failure.command]?.args.join(" ");
        throw new StepError("RUN_FAILED", `process "${argv}" did not complete successfully: exit code: ${failure.exitCode}`, failed, failure.exitCode, output.join(""));
      }
    } else if (op.kind === "workdir") {
      try {
        await makeWorkdir(op, snap.merged);
      } catch (e) {
        throw new StepError("WORKDIR_FAILED", (e as Error).message, source);
      }
    } else {
      try {
        await copyInto(op, o.sources, snap.merged);
      } catch (e) {
        if (e instanceof StepError) throw e;
        throw new StepError("COPY_FAILED", (e as Error).message, source);
      }
    }
    await unmount(snap.merged);
    mounted = false;
    if ((await readdir(snap.upper)).length === 0) return undefined;
    const tmp = join(o.store.layout.tmp, `layer-${snap.id}.tar`);
    const layer = await writeLayer(snap.upper, tmp, o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {});
    if (await o.store.content.has(layer.diffId)) await rm(tmp, { force: true });
    else await rename(tmp, o.store.layout.blob(layer.diffId));
    await snapshots.adopt(snap.upper, layer.diffId);
    return layer;
  } finally {
    if (mounted) await unmount(snap.merged);
    await snapshots.discard(snap);
  }
}
