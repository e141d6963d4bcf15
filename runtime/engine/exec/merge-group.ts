import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { mergedLayerKey } from "../../../compiler/cache/keys.ts";
import type { Step } from "../../../compiler/ir/graph.ts";
import { LayerMerge } from "../../layer/merge-layers.ts";
import type { OverlaySnapshotter } from "../../snapshot/overlay.ts";
import type { CacheRecord, CacheRecords } from "../../store/cache-records.ts";
import { type HistoryEntry, MediaType } from "../../store/oci.ts";
import type { Store } from "../../store/store.ts";
import type { StageResult } from "./executor.ts";
import { dropPrefix, type StagedPrefix } from "./merge-prefix.ts";
import type { ReadOnlyRoots } from "./roots.ts";

/** One layer step of a group, after it ran or came from the cache. */
export interface GroupStep {
  readonly step: Step;
  /** Its per-step layer; null when it changed nothing. */
  readonly diffId: string | null;
  readonly size: number;
  readonly created: string;
}

export interface GroupContext {
  readonly store: Store;
  readonly snapshots: OverlaySnapshotter;
  readonly cache: CacheRecords;
  readonly roots: ReadOnlyRoots;
  readonly noCache: boolean;
  /** Merged layers in name-byte order only (no first-layer form): a SOURCE_DATE_EPOCH build's canonical tar. */
  readonly sorted?: boolean | undefined;
  /** A remote cache's record of a key, its layer fetched later when needed (executor.ts). */
  readonly remoteHit?: ((key: string) => Promise<CacheRecord | undefined>) | undefined;
  /** Brings remote hits' layers into the store (unpacked when `unpack`): executor.ts. */
  readonly need?: ((diffIds: readonly string[], unpack: boolean) => Promise<void>) | undefined;
  /** Collects the keys of the merged layers written or reused. */
  readonly mergedKeys: string[];
  /** Told of a merged layer once written (executor.ts's ExecuteOptions.onLayer). */
  readonly onLayer?: ((key: string, diffId: string, merged: boolean) => void) | undefined;
}

/** A group of steps on their way into the image. */
export interface Group {
  readonly steps: readonly GroupStep[];
  /** The filesystem below it (per-step layers). */
  readonly below: readonly string[];
  /** Its first layer, staged as the start of its merged layer (merge-prefix.ts). */
  readonly staged?: Promise<StagedPrefix | undefined> | undefined;
}

/** The history comment of an instruction that shares an image layer: `strata:merged <k>/<n> <own bytes>`. */
export function mergedComment(k: number, n: number, size: number): string {
  return `strata:merged ${k}/${n} ${size}`;
}

/** Parses a history comment written by mergedComment. */
export function parseMergedComment(comment: string | undefined): { k: number; n: number; size: number } | undefined {
  const m = /^strata:merged (\d+)\/(\d+) (\d+)$/.exec(comment ?? "");
  return m ? { k: Number(m[1]), n: Number(m[2]), size: Number(m[3]) } : undefined;
}

/**
 * Adds a group of layer steps (one step, or RUNs the merge-runs pass joined)
 * to the image. A group whose steps made at most one layer adds that layer.
 * Otherwise the per-step layers become one image layer: the cache record of
 * `mergedLayerKey` when its blob is stored (a warm build merges nothing),
 * else a LayerMerge of the per-step tars, written through a content-store
 * writer (in the first-layer form, the staged one when there is one) and
 * recorded. History keeps one entry per instruction, and each says
 * in its comment which part of the layer it is and its own bytes (for
 * `strata history`). The entry of the last
 * step that changed something carries the layer; a RUN that changed nothing
 * stays an empty entry, as it is unmerged.
 */
export async function writeGroup(c: GroupContext, state: StageResult, g: Group): Promise<StageResult> {
  try {
    return await addGroup(c, state, g);
  } finally {
    await dropPrefix(g.staged);
  }
}

async function addGroup(c: GroupContext, state: StageResult, { steps: group, below, staged }: Group): Promise<StageResult> {
  const made = group.filter((g) => g.diffId !== null);
  const last = group[group.length - 1] as GroupStep;
  const entries = (layerAt: number, comments: boolean): HistoryEntry[] =>
    group.flatMap((g, k) =>
      g.step.createdBy.map((by) => ({
        created: g.created,
        created_by: by,
        ...(comments ? { comment: mergedComment(k + 1, group.length, g.size) } : g.step.comment !== undefined && { comment: g.step.comment }),
        ...(k !== layerAt && { empty_layer: true }),
      })),
    );
  if (made.length === 0) return { ...state, config: last.step.config, created: last.created, history: [...state.history, ...entries(-1, false)] };
  let layer: { diffId: string; size: number };
  let layerAt: number;
  if (made.length === 1) {
    const only = made[0] as GroupStep;
    layer = { diffId: only.diffId as string, size: only.size };
    layerAt = group.indexOf(only);
  } else {
    const key = mergedLayerKey(below, made.map((g) => g.diffId as string), c.sorted === true);
    layer = await mergedLayer(c, key, below, made, last.created, staged);
    layerAt = group.indexOf(made[made.length - 1] as GroupStep);
    c.mergedKeys.push(key);
  }
  return {
    layers: [...state.layers, { mediaType: MediaType.layer, digest: layer.diffId, size: layer.size }],
    diffIds: [...state.diffIds, layer.diffId],
    chain: state.chain,
    history: [...state.history, ...entries(layerAt, made.length > 1)],
    config: last.step.config,
    created: last.created,
  };
}

async function mergedLayer(
  c: GroupContext,
  key: string,
  below: readonly string[],
  made: readonly GroupStep[],
  created: string,
  staged: Group["staged"],
): Promise<{ diffId: string; size: number }> {
  const stored = async (r: CacheRecord | undefined): Promise<boolean> => r !== undefined && r.diffId !== null && (await c.store.content.has(r.diffId));
  if (!c.noCache) {
    const hit = await c.cache.get(key);
    if (hit && (await stored(hit))) return { diffId: hit.diffId as string, size: hit.size };
    // Its layer is fetched when the image is written (executor.ts), not for a stage the image does not include.
    const remote = await c.remoteHit?.(key);
    if (remote !== undefined && remote.diffId !== null) return { diffId: remote.diffId, size: remote.size };
  }
  // Merged here: its per-step layers' bytes are needed, and what is below them for a whiteout's view.
  await c.need?.(
    made.map((g) => g.diffId as string),
    false,
  );
  // Mounted when a whiteout asks: a group whose later steps delete nothing needs no view of what is below it.
  let root: Promise<string> | undefined;
  const first = made[0] as GroupStep;
  const prefix = await staged;
  const merge = await LayerMerge.open({
    layers: made.map((g) => c.store.layout.blob(g.diffId as string)),
    first: prefix?.diffId === first.diffId ? prefix.index : undefined,
    sorted: c.sorted === true,
    below: async (path) => {
      if (below.length === 0) return undefined;
      root ??= (c.need?.(below, true) ?? Promise.resolve()).then(() => c.roots.root(below));
      const st = await lstat(join(await root, path)).catch(() => undefined);
      return st === undefined ? undefined : st.isDirectory() ? "dir" : "other";
    },
  });
  try {
    // The staged ingest holds the first layer's entries: in the first-layer form the rest follows them.
    const after = merge.firstBytes !== undefined && prefix?.diffId === first.diffId && prefix.writer.size === merge.firstBytes;
    const blob = after ? prefix.writer : await c.store.content.writer();
    try {
      await merge.write(blob, after);
      const layer = await blob.commit();
      await c.cache.put(key, { diffId: layer.digest, size: layer.size, created });
      c.onLayer?.(key, layer.digest, true);
      return { diffId: layer.digest, size: layer.size };
    } finally {
      await blob.abort();
    }
  } finally {
    await merge.close();
  }
}
