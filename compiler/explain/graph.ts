/**
 * The build graph of an explain plan as a picture sees it, the one model that the dot and the
 * html formats draw (pure: the plan in, nodes and edges out). Nodes: one per image layer of every
 * used stage (a merged group of RUNs is one node listing them), one per stage base (FROM an
 * image, scratch or a named context; a stage FROM another stage has none: it goes on from that
 * stage's last layer), one per image that a COPY --from or a RUN mount reads, and one for each
 * pruned stage. Edges: a base to its stage's first layer and each layer to the next one of its
 * stage ("next"); `FROM <stage>`: that stage's last node to this stage's first layer
 * ("from-stage"); `COPY --from` and `RUN --mount from=`: the stage's last node (or the image's
 * node) to the layer that reads it ("copy-from", "mount-from"). Each edge once per kind (a stage that is both the base and a mount of a layer is two dependencies).
 */
import type { ExplainCache, ExplainLayer, ExplainPlan } from "./schema.ts";

export interface GraphNode {
  /** Unique in the picture (prefixed for one plan among several). */
  readonly id: string;
  /** "base": a stage's FROM; "layer": an image layer; "image": an image read by --from; "pruned": a stage the target does not need. */
  readonly kind: "base" | "layer" | "image" | "pruned";
  /** The stage the node is in; null for an image read by --from. */
  readonly stage: number | null;
  /** For a layer: its 0-based index in the plan's `layers`. */
  readonly layer: number | null;
  /** For a layer: its plan entry. */
  readonly entry: ExplainLayer | null;
  /** What the box says, one line each. */
  readonly lines: readonly string[];
  readonly cache: ExplainCache | null;
  readonly merged: boolean;
  /** Why a miss (or unknown) misses; null otherwise. */
  readonly reason: string | null;
}

export type EdgeKind = "next" | "from-stage" | "copy-from" | "mount-from";

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

export interface GraphCluster {
  readonly id: string;
  readonly stage: number;
  readonly label: string;
  readonly nodes: readonly string[];
}

export interface PlanGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** One per stage: its nodes. Image nodes of --from are in none. */
  readonly clusters: readonly GraphCluster[];
}

const MARK = { hit: "HIT", miss: "MISS", unknown: "UNKNOWN" } as const;

/** A long instruction cut to `max` characters, ending in an ellipsis. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "2 of 3 RUNs cached, 1 runs" for a merged layer. */
export function runsText(runs: NonNullable<ExplainLayer["runs"]>): string {
  const total = runs.cached + runs.run + runs.unknown;
  const parts = [`${runs.cached} of ${total} RUNs cached`];
  if (runs.run > 0) parts.push(`${runs.run} ${runs.run === 1 ? "runs" : "run"}`);
  if (runs.unknown > 0) parts.push(`${runs.unknown} unknown`);
  return parts.join(", ");
}

/** The lines of a layer's box: each instruction (a merged one with its own mark), then a merged layer's count. */
function layerLines(l: ExplainLayer): string[] {
  const lines = l.instructions.map((i) => `${i.line}: ${clip(i.text, 50)}${l.merged ? `  ${MARK[i.cache]}` : ""}`);
  if (l.runs) lines.push(`merged: ${runsText(l.runs)}`);
  return lines;
}

/** The picture's model of one plan; `id` prefixes every node and cluster name. */
export function planGraph(plan: ExplainPlan, id = ""): PlanGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const clusters: GraphCluster[] = [];
  const seen = new Set<string>();
  const edge = (from: string, to: string, kind: EdgeKind): void => {
    if (seen.has(`${from} ${to} ${kind}`)) return;
    seen.add(`${from} ${to} ${kind}`);
    edges.push({ from, to, kind });
  };
  const layersOf = new Map<number, number[]>();
  plan.layers.forEach((l, n) => {
    layersOf.set(l.stage, [...(layersOf.get(l.stage) ?? []), n]);
  });
  const byIndex = new Map(plan.stages.map((s) => [s.index, s]));
  /** The node a stage's result is: its last layer, else its base's (a stage it starts from goes on from that stage's). */
  const lastNode = (stage: number, depth = 0): string | undefined => {
    const own = layersOf.get(stage);
    if (own !== undefined && own.length > 0) return `${id}l${own[own.length - 1]}`;
    const s = byIndex.get(stage);
    if (s === undefined || depth > plan.stages.length) return undefined;
    return s.baseStage !== null ? lastNode(s.baseStage, depth + 1) : `${id}s${stage}`;
  };
  const images = new Map<string, string>();
  for (const s of plan.stages) {
    const label = `stage ${s.index}${s.name ? ` ${s.name}` : ""}${s.used ? "" : " (pruned)"}`;
    const members: string[] = [];
    if (!s.used) {
      nodes.push({ id: `${id}s${s.index}`, kind: "pruned", stage: s.index, layer: null, entry: null, lines: [`FROM ${s.base}`], cache: null, merged: false, reason: null });
      clusters.push({ id: `${id}${s.index}`, stage: s.index, label, nodes: [`${id}s${s.index}`] });
      continue;
    }
    let prev: string | undefined;
    if (s.baseStage === null) {
      prev = `${id}s${s.index}`;
      nodes.push({ id: prev, kind: "base", stage: s.index, layer: null, entry: null, lines: [`FROM ${s.base}`], cache: null, merged: false, reason: null });
      members.push(prev);
    }
    for (const n of layersOf.get(s.index) ?? []) {
      const l = plan.layers[n] as ExplainLayer;
      const node = `${id}l${n}`;
      nodes.push({ id: node, kind: "layer", stage: s.index, layer: n, entry: l, lines: layerLines(l), cache: l.cache, merged: l.merged, reason: l.reason });
      members.push(node);
      if (prev !== undefined) edge(prev, node, "next");
      else if (s.baseStage !== null) {
        const from = lastNode(s.baseStage);
        if (from !== undefined) edge(from, node, "from-stage");
      }
      prev = node;
    }
    clusters.push({ id: `${id}${s.index}`, stage: s.index, label, nodes: members });
  }
  // The reads, once every stage's nodes exist (a stage may read a later-listed one only in a malformed plan; then no edge).
  plan.layers.forEach((l, n) => {
    for (const r of l.reads) {
      const kind: EdgeKind = r.by === "copy" ? "copy-from" : "mount-from";
      if (r.stage !== null) {
        const from = lastNode(r.stage);
        if (from !== undefined) edge(from, `${id}l${n}`, kind);
      } else if (r.image !== null) {
        let node = images.get(r.image);
        if (node === undefined) {
          node = `${id}i${images.size}`;
          images.set(r.image, node);
          nodes.push({ id: node, kind: "image", stage: null, layer: null, entry: null, lines: [`image ${r.image}`], cache: null, merged: false, reason: null });
        }
        edge(node, `${id}l${n}`, kind);
      }
    }
  });
  return { nodes, edges, clusters };
}
