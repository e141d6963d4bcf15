import type { SourceRef, Step } from "../../../compiler/ir/graph.ts";
import { mount, unmount } from "../../fs/mount.ts";
import type { OverlayActiveSnapshot } from "../../snapshot/overlay.ts";
import type { Snapshotter } from "../../snapshot/snapshotter.ts";
import type { Store } from "../../store/store.ts";
import { copyInto } from "./copy/index.ts";
import { StrataError } from "../../errors/error.ts";
import { StepError } from "../../errors/step-error.ts";
import { namespaceRefusal } from "../../runc/namespace-refusal.ts";
import { runStep } from "./run-step.ts";
import { makeWorkdir } from "./workdir-step.ts";
import type { StepSources } from "./step-sources.ts";

export interface LayerStepInput {
  readonly store: Store;
  /** RUN steps clean mount stubs out of the upper dir (run/stubs.ts): a snapshotter whose active snapshots have one. */
  readonly snapshots: Snapshotter<OverlayActiveSnapshot>;
  readonly sources: StepSources;
  /** The layers below (bottom first). */
  readonly parents: readonly string[];
  readonly step: Step;
  readonly onOutput: (chunk: Buffer) => void;
  readonly sourceDateEpoch?: number | undefined;
}

/**
 * Makes one layer: prepares a snapshot over the parents, runs the RUN or
 * COPY in its merged view, unmounts, writes the snapshot's diff (the layer
 * tar) through a content-store writer, committed as the diffID the diff
 * hashed to, and commits the snapshot as that diffID. Returns the layer;
 * undefined when the step changed nothing (the image then gets no layer for
 * it, only history).
 */
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
        // runc never started the command: the sandbox Strata runs in refused its namespaces.
        const refused = namespaceRefusal(output.join(""));
        if (refused !== undefined) throw refused;
        const argv = op.command.args.join(" ");
        throw new StepError("RUN_FAILED", `process "${argv}" did not complete successfully: exit code: ${failure.exitCode}`, source, failure.exitCode, output.join(""));
      }
    } else if (op.kind === "workdir") {
      try {
        await makeWorkdir(op, snap.merged);
      } catch (e) {
        throw new StepError(e instanceof StrataError ? e.code : "WORKDIR_FAILED", (e as Error).message, source);
      }
    } else {
      try {
        await copyInto(op, o.sources, snap.merged, (message) => o.onOutput(Buffer.from(`WARN: ${message}\n`)));
      } catch (e) {
        if (e instanceof StepError) throw e;
        throw new StepError(e instanceof StrataError ? e.code : "COPY_FAILED", (e as Error).message, source);
      }
    }
    await unmount(snap.merged);
    mounted = false;
    if (!(await snapshots.changed(snap))) return undefined;
    const blob = await o.store.content.writer();
    let layer: { diffId: string; size: number };
    try {
      // The writer hashes the tar as it takes it: its digest is the diffID.
      layer = await snapshots.diff(snap, blob, o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {});
      await blob.commit({ digest: layer.diffId, size: layer.size });
    } finally {
      await blob.abort();
    }
    await snapshots.commit(snap, layer.diffId);
    return layer;
  } finally {
    if (mounted) await unmount(snap.merged);
    await snapshots.discard(snap);
  }
}
