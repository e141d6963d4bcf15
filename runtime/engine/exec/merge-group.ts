import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { mergedLayerKey } from "../../../compiler/cache/keys.ts";
import type { Step } from "../../../compiler/ir/graph.ts";
import { mergeLayers } from "../../layer/merge-layers.ts";
import type { OverlaySnapshotter } from "../../snapshot/overlay.ts";
import type { CacheRecord, CacheRecords } from "../../store/cache-records.ts";
import { type HistoryEntry, MediaType } from "../../store/oci.ts";
import type { Store } from "../../store/store.ts";
import type { StageResult } from "./executor.ts";
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
  readonly remoteCache?: { fetch(key: string): Promise<CacheRecord | undefined> } | undefined;
  /** Collects the keys of the merged layers written or reused. */
  readonly mergedKeys: string[];
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
 * else mergeLayers over the per-step tars, written through a content-store
 * writer and recorded. History keeps one entry per instruction, and each says
 * in its comment which part of the layer it is and its own bytes (for
 * `strata history`). The entry of the last
 * step that changed something carries the layer; a RUN that changed nothing
 * stays an empty entry, as it is unmerged.
 */
export async function writeGroup(c: GroupContext, state: StageResult, below: readonly string[], group: readonly GroupStep[]): Promise<StageResult> {
  const made = group.filter((g) => g.diffId !== null);
  const last = group[group.length - 1] as GroupStep;
  const entries = (layerAt: number, comments: boolean): HistoryEntry[] =>
    group.flatMap((g, k) =>
      g.step.createdBy.map((by) => ({
        created: g.created,
        created_by: by,
        ...(comments && { comment: mergedComment(k + 1, group.length, g.size) }),
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
    const key = mergedLayerKey(below, made.map((g) => g.diffId as string));
    layer = await mergedLayer(c, key, below, made, last.created);
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

async function mergedLayer(c: GroupContext, key: string, below: readonly string[], made: readonly GroupStep[], created: string): Promise<{ diffId: string; size: number }> {
  const stored = async (r: CacheRecord | undefined): Promise<boolean> => r !== undefined && r.diffId !== null && (await c.store.content.has(r.diffId));
  if (!c.noCache) {
    const hit = await c.cache.get(key);
    if (hit && (await stored(hit))) return { diffId: hit.diffId as string, size: hit.size };
    const remote = await c.remoteCache?.fetch(key);
    if (remote && (await stored(remote))) {
      await c.cache.put(key, remote);
      return { diffId: remote.diffId as string, size: remote.size };
    }
  }
  const root = below.length > 0 ? await c.roots.root(below) : undefined;
  const blob = await c.store.content.writer();
  try {
    const layer = await mergeLayers(
      {
        layers: made.map((g) => c.store.layout.blob(g.diffId as string)),
        below: async (path) => {
          if (root === undefined) return undefined;
          const st = await lstat(join(root, path)).catch(() => undefined);
          return st === undefined ? undefined : st.isDirectory() ? "dir" : "other";
        },
      },
      blob,
    );
    await blob.commit({ digest: layer.diffId, size: layer.size });
    await c.cache.put(key, { diffId: layer.diffId, size: layer.size, created });
    return layer;
  } finally {
    await blob.abort();
  }
}
