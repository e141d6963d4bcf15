/**
 * The layer-waste analysis (dive's, for Strata's store): the layers of an image, bottom first,
 * applied one after another to a FileTree of paths and sizes (file-tree.ts; whiteouts as OCI says),
 * giving for every layer its size, the files it adds, changes (a path a lower layer had) and
 * removes, and its wasted bytes: content it holds that a later layer deletes or replaces, so the
 * image carries bytes no container sees. Waste is attributed to the layer that added the bytes and
 * listed per file with the layer that removed or replaced it. Totals: size, wasted bytes, the share
 * of the user's layers (all but the first, as dive) that is waste, dive's efficiency score
 * (efficiency.ts), the biggest files of the final filesystem.
 *
 * Sizes are content bytes (the sum of the layer's file sizes, tar headers left out), as dive's.
 * Counts are of non-directories. Bounded: headers only, one layer's at a time (layer-headers.ts).
 */
import type { Store } from "../../store/store.ts";
import { EfficiencyScore } from "./efficiency.ts";
import { FileTree, type Gone } from "./file-tree.ts";
import { layerHeaders, type LayerSource, layerSource } from "./layer-headers.ts";

/** A layer to analyse: where it is and what the image says about it. */
export interface LayerInput {
  readonly source: LayerSource;
  readonly diffId: string;
  /** The blob digest the manifest names (the diffID for a layer stored uncompressed). */
  readonly digest?: string;
  /** The history's `created_by` of the instruction(s) that made it. */
  readonly createdBy?: string;
}

/** A file's bytes that a later layer deleted or replaced. */
export interface WastedFile {
  /** Absolute, as in the image ("/big.bin"). */
  readonly path: string;
  readonly size: number;
  /** The layer (index, bottom 0) that added these bytes. */
  readonly addedBy: number;
  /** The layer that deleted or replaced them. */
  readonly removedBy: number;
  readonly how: "deleted" | "replaced";
}

/** One change of a layer, for a view of its tree: A added, C changed, D removed. */
export interface Change {
  readonly path: string;
  readonly type: string;
  readonly size: number;
  readonly change: "A" | "C" | "D";
}

export interface LayerReport {
  readonly index: number;
  readonly diffId: string;
  readonly digest: string;
  readonly createdBy: string;
  /** Content bytes of its files. */
  readonly size: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  /** Bytes of this layer that a later layer deletes or replaces. */
  readonly wastedBytes: number;
  /** With `changes: true`: every entry it adds or changes and every path it removes. */
  readonly changes?: readonly Change[];
}

export interface BigFile {
  readonly path: string;
  readonly size: number;
  readonly layer: number;
}

export interface LayerAnalysis {
  readonly layers: readonly LayerReport[];
  readonly size: number;
  /** All layers but the first (dive's "user" bytes). */
  readonly userSize: number;
  readonly wastedBytes: number;
  /** wastedBytes / userSize (0 when there are no user bytes): dive's highestUserWastedPercent compares with this. */
  readonly wastedUserRatio: number;
  /** dive's efficiency score, 0..1. */
  readonly efficiency: number;
  /** Every wasted file, biggest first. */
  readonly wasted: readonly WastedFile[];
  /** The biggest files of the final filesystem, biggest first (`top` of them). */
  readonly biggest: readonly BigFile[];
}

export interface AnalyzeOptions {
  /** Keep each layer's list of changes (for the HTML view). */
  readonly changes?: boolean;
  /** How many of the biggest files to keep (default 20). */
  readonly top?: number;
}

const abs = (p: string): string => `/${p}`;

export async function analyzeLayers(store: Store, inputs: readonly LayerInput[], o: AnalyzeOptions = {}): Promise<LayerAnalysis> {
  const tree = new FileTree();
  const score = new EfficiencyScore();
  const wasted: WastedFile[] = [];
  const perLayer = inputs.map(() => 0);
  const layers: Omit<LayerReport, "wastedBytes">[] = [];
  for (const [index, input] of inputs.entries()) {
    const headers = await layerHeaders(store, input.source);
    const changes: Change[] = [];
    let size = 0;
    let added = 0;
    let changed = 0;
    let removed = 0;
    /** The path of the entry being put: what it replaces at that very path is a change, anything else that goes is removed. */
    let putting: string | undefined;
    const gone = (g: Gone): void => {
      if (g.node.size > 0) {
        wasted.push({ path: abs(g.path), size: g.node.size, addedBy: g.node.layer, removedBy: index, how: g.how });
        perLayer[g.node.layer] = (perLayer[g.node.layer] ?? 0) + g.node.size;
      }
      if (g.path !== putting) {
        removed++;
        score.seen(g.path, 0);
        if (o.changes) changes.push({ path: abs(g.path), type: g.node.type, size: g.node.size, change: "D" });
      }
    };
    // Whiteouts and opaque markers apply to the layers below, whatever their place in the tar.
    for (const h of headers) {
      if (h.kind === "opaque") tree.clear(h.path, gone);
      else if (h.kind === "whiteout") {
        if (o.changes && tree.get(h.path)?.children !== undefined) changes.push({ path: abs(h.path), type: "dir", size: 0, change: "D" });
        tree.remove(h.path, gone);
      }
    }
    for (const h of headers) {
      if (h.kind !== "entry") continue;
      // A replaced non-directory counts as changed, not removed (gone() sees it as "replaced").
      putting = h.path;
      const old = tree.put(h.path, h.type, h.size, index, gone);
      if (h.type === "dir") {
        // A directory over a directory changes nothing worth listing (every layer repeats its parents).
        if (o.changes && old?.type !== "dir") changes.push({ path: abs(h.path), type: "dir", size: 0, change: old === undefined ? "A" : "C" });
        continue;
      }
      size += h.size;
      score.seen(h.path, h.size);
      const isChange = old !== undefined && old.type !== "dir";
      if (isChange) changed++;
      else added++;
      if (o.changes) changes.push({ path: abs(h.path), type: h.type, size: h.size, change: isChange ? "C" : "A" });
    }
    layers.push({ index, diffId: input.diffId, digest: input.digest ?? input.diffId, createdBy: input.createdBy ?? "", size, added, changed, removed, ...(o.changes && { changes }) });
  }
  const reports = layers.map((l, i) => ({ ...l, wastedBytes: perLayer[i] ?? 0 }));
  const size = reports.reduce((n, l) => n + l.size, 0);
  const userSize = size - (reports[0]?.size ?? 0);
  const wastedBytes = wasted.reduce((n, w) => n + w.size, 0);
  const biggest: BigFile[] = [];
  for (const [p, n] of FileTree.leaves("", tree.root)) if (n.size > 0) biggest.push({ path: abs(p), size: n.size, layer: n.layer });
  biggest.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  wasted.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  return {
    layers: reports,
    size,
    userSize,
    wastedBytes,
    wastedUserRatio: userSize === 0 ? 0 : wastedBytes / userSize,
    efficiency: score.score(),
    wasted,
    biggest: biggest.slice(0, o.top ?? 20),
  };
}

/**
 * The waste of a list of layers by diffID, bottom first (what a build made, before an image
 * exists): for the explain/build add-then-delete warning. Each layer is read from the store,
 * uncompressed or in a compressed form it remembers.
 */
export async function wasteOfDiffIds(store: Store, diffIds: readonly string[]): Promise<readonly WastedFile[]> {
  const inputs = await Promise.all(diffIds.map(async (diffId) => ({ diffId, source: await layerSource(store, diffId) })));
  return (await analyzeLayers(store, inputs, { top: 0 })).wasted;
}
