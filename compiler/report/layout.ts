/**
 * Where each node, cluster and edge of the plan's graph (explain/graph.ts) goes, laid out by
 * @dagrejs/dagre (a kept Sugiyama layout, the one dagre-d3 and mermaid use) at generation time,
 * so the page is a static SVG that draws at once. Loaded only for the html report: the text
 * formats never pay for it. Sizes are in SVG pixels for a 12px monospace font.
 */
import type { GraphCluster, GraphEdge, GraphNode, PlanGraph } from "../explain/graph.ts";

export const CHAR_WIDTH = 7.3;
export const LINE_HEIGHT = 15;
const PAD_X = 10;
const PAD_Y = 8;

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Laid {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly (GraphNode & Box)[];
  readonly clusters: readonly (GraphCluster & Box)[];
  readonly edges: readonly (GraphEdge & { readonly points: readonly { x: number; y: number }[] })[];
}

type Dagre = typeof import("@dagrejs/dagre");

/** Node boxes sized for their lines; x, y their top-left corner. */
export async function layoutGraph(g: PlanGraph): Promise<Laid> {
  const mod = (await import("@dagrejs/dagre")) as Dagre & { default?: Dagre };
  // (bundled as CommonJS, the functions may sit under `default`)
  const { graphlib, layout } = typeof mod.layout === "function" ? mod : (mod.default as Dagre);
  const d = new graphlib.Graph({ compound: true, multigraph: true });
  d.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 44, marginx: 16, marginy: 16 });
  for (const n of g.nodes) {
    const longest = Math.max(...n.lines.map((l) => [...l].length));
    d.setNode(n.id, { width: longest * CHAR_WIDTH + 2 * PAD_X, height: n.lines.length * LINE_HEIGHT + 2 * PAD_Y });
  }
  for (const c of g.clusters) {
    d.setNode(`cluster_${c.id}`, { width: 0, height: 0, paddingTop: 24 });
    for (const n of c.nodes) d.setParent(n, `cluster_${c.id}`);
  }
  for (const e of g.edges) d.setEdge(e.from, e.to, { minlen: 1 }, e.kind);
  layout(d);
  const box = (id: string): Box => {
    const n = d.node(id) as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  const nodes = g.nodes.map((n) => ({ ...n, ...box(n.id) }));
  // A cluster's box, grown to hold its label above its nodes.
  const clusters = g.clusters.map((c) => {
    const b = box(`cluster_${c.id}`);
    return { ...c, ...b, y: b.y - 18, height: b.height + 18 };
  });
  // Edges of two kinds between the same nodes (a stage that is both a FROM and a mount) get one path each: the later ones moved aside.
  const nth = new Map<string, number>();
  const edges = g.edges.map((e) => {
    const pair = `${e.from} ${e.to}`;
    const k = nth.get(pair) ?? 0;
    nth.set(pair, k + 1);
    const points = (d.edge(e.from, e.to, e.kind) as { points: { x: number; y: number }[] }).points;
    return { ...e, points: points.map((p) => ({ x: p.x + k * 10, y: p.y })) };
  });
  const all = [...nodes, ...clusters];
  // Clusters' labels and borders may reach above or left of the laid-out area: shift everything by that.
  const dx = 8 - Math.min(8, ...all.map((b) => b.x));
  const dy = 8 - Math.min(8, ...all.map((b) => b.y));
  const width = Math.max(100, ...all.map((b) => b.x + b.width)) + dx + 8;
  const height = Math.max(60, ...all.map((b) => b.y + b.height)) + dy + 8;
  return {
    width,
    height,
    nodes: nodes.map((n) => ({ ...n, x: n.x + dx, y: n.y + dy })),
    clusters: clusters.map((c) => ({ ...c, x: c.x + dx, y: c.y + dy })),
    edges: edges.map((e) => ({ ...e, points: e.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) })),
  };
}
