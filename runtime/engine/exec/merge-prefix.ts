import { indexFromJson, indexLayerFile, indexToJson, type LayerIndex } from "../../layer/layer-index.ts";
import type { FileContentWriter } from "../../store/content-writer.ts";
import type { Store } from "../../store/store.ts";

/**
 * The start of a merged layer, made ahead: when a RUN of a merge group is about to run and
 * the group's first layer is big, that layer's entries are copied into a content-store ingest
 * (a reflink where the filesystem has them, else direct writes: fs/copy-direct.ts) with their
 * hash state (saved, or computed once and saved) while the RUN runs. If the group's merge then
 * takes the first-layer form (merge-layers.ts), the merged layer is this ingest plus the later
 * steps' entries; otherwise it is dropped. So an edit of a small RUN after `apt-get install`
 * neither hashes nor (on xfs or btrfs) copies the apt layer's bytes again. Measured here (edit-run,
 * 189 MB apt layer): the rebuild's merge costs 0.1 s on xfs; on ext4 the copy's 189 MB of
 * writes slow the RUN beside them, 0.3–0.4 s in all, against 0.8 s when the merge wrote
 * everything itself.
 */
export interface StagedPrefix {
  /** The group's first layer. */
  readonly diffId: string;
  /** Its index (saved with its hash state: the merge need not read it again). */
  readonly index: LayerIndex;
  /** Holds the first layer's entries, without its end-of-archive (the merge checks the size). */
  readonly writer: FileContentWriter;
}

/** Below this a first layer is merged as it comes: the copy would save little. */
export const STAGE_MIN = 8 << 20;

/** Starts staging; undefined when it fails (the merge then writes everything itself). */
export function stagePrefix(store: Store, diffId: string, size: number): Promise<StagedPrefix | undefined> {
  return (async () => {
    // The saved state says where the layer's entries end and keeps its index; without one the layer is indexed and hashed once.
    const saved = await store.content.hashStates.saved(diffId, size);
    const known = indexFromJson(saved?.extra);
    if (saved !== undefined && known !== undefined && known.end === saved.length) return { diffId, index: known, writer: await store.content.writerAfter(diffId, saved) };
    const index = await indexLayerFile(store.layout.blob(diffId));
    const prefix = await store.content.hashStates.compute(diffId, index.end, indexToJson(index));
    return { diffId, index, writer: await store.content.writerAfter(diffId, prefix) };
  })().catch(() => undefined);
}

/** Drops a staged prefix that is not used. */
export async function dropPrefix(staged: Promise<StagedPrefix | undefined> | undefined): Promise<void> {
  await (await staged)?.writer.abort();
}
