/** `strata explain`'s formats of one plan: text (for a person), json and yaml (explain/schema.ts), dot (Graphviz), html (compiler/report/page.ts, which the CLI loads only for it). */
import { clip, type EdgeKind, type GraphNode, planGraph, runsText } from "./graph.ts";
import type { ExplainPlan } from "./schema.ts";

export type ExplainFormat = "text" | "json" | "yaml" | "dot" | "html";

const MARK = { hit: "HIT", miss: "MISS", unknown: "UNKNOWN" } as const;

/** What an instruction becomes, as the instructions section says it. */
function becomesText(plan: ExplainPlan, ins: ExplainPlan["instructions"][number]): string {
  switch (ins.becomes) {
    case "base":
      return `→ base image (stage ${ins.stage})`;
    case "config":
      return "→ config only";
    case "none":
      return /^\s*(arg\b|\.?arg\()/i.test(ins.text) ? "→ nothing (build-time only)" : "→ nothing (no change to files or config)";
    default: {
      const layer = ins.layer === null ? undefined : plan.layers[ins.layer - 1];
      const mark = ins.cache === null ? "" : `  ${MARK[ins.cache]}`;
      if (ins.becomes !== "merged" || layer === undefined) return `→ layer #${ins.layer}${mark}`;
      const at = layer.instructions.findIndex((l) => l.file === ins.file && l.line === ins.line && l.text === ins.text) + 1;
      return `→ layer #${ins.layer} (merged, ${at} of ${layer.instructions.length})${mark}`;
    }
  }
}

/** The directory (ending in `/`) every path that has one is under; "" when there is none or some path has none. */
function commonDir(files: readonly string[]): string {
  if (files.length === 0 || files.some((f) => !f.includes("/"))) return "";
  const dirs = files.map((f) => f.slice(0, f.lastIndexOf("/") + 1).split(/(?<=\/)/));
  const first = dirs[0] as string[];
  let n = 0;
  while (n < first.length && dirs.every((d) => d[n] === first[n])) n++;
  const dir = first.slice(0, n).join("");
  return dir === "/" ? "" : dir;
}

/** The plan as a person reads it. */
export function formatText(plan: ExplainPlan): string {
  const out: string[] = [`target: ${plan.target}`, "", "stages:"];
  for (const s of plan.stages) out.push(`  ${s.index}${s.name ? ` (${s.name})` : ""}  FROM ${s.base}${s.used ? "" : "  [pruned: the target does not need it]"}`);
  // Files named relative to the directory they all share, so the lines stay short.
  const dir = commonDir(plan.instructions.map((i) => i.file));
  out.push("", dir === "" ? "instructions:" : `instructions (in ${dir}):`);
  const where = plan.instructions.map((i) => `${i.file.slice(dir.length)}:${i.line}`);
  const whereWidth = Math.max(0, ...where.map((w) => w.length));
  const textWidth = Math.max(0, ...plan.instructions.map((i) => clip(i.text).length));
  plan.instructions.forEach((ins, n) => {
    out.push(`  ${(where[n] as string).padEnd(whereWidth)}  ${clip(ins.text).padEnd(textWidth)}  ${becomesText(plan, ins)}`);
  });
  out.push("", "layers:");
  plan.layers.forEach((l, n) => {
    const head = `  #${n + 1} stage ${l.stage}  ${l.cache === "hit" ? "HIT " : l.cache === "miss" ? "MISS" : "UNKNOWN"}  ${l.cacheKey.slice(7, 19)}`;
    out.push(head);
    // The marks of a merged layer's RUNs line up, unless a line is too long for it to be worth it.
    const width = Math.min(100, Math.max(0, ...l.instructions.map((i) => `${i.file}:${i.line}  ${i.text}`.length)));
    for (const ins of l.instructions) {
      const line = `${ins.file}:${ins.line}  ${ins.text}`;
      out.push(`      ${l.merged ? `${line.padEnd(width)}  ${MARK[ins.cache]}` : line}`);
    }
    if (l.merged) out.push(`      merged: ${l.instructions.length} RUNs in one layer${l.runs ? `; ${runsText(l.runs)}` : ""}`);
    if (l.notMerged) out.push(`      not merged with the RUN before: ${l.notMerged}`);
    if (l.reason) out.push(`      ${l.cache === "unknown" ? "why unknown" : "why a miss"}: ${l.reason}`);
  });
  const count = (c: string): number => plan.layers.filter((l) => l.cache === c).length;
  const unknown = count("unknown");
  const kinds: [string, string, string][] = [
    ["base", "base", "base"],
    ["layer", "own layer", "own layers"],
    ["merged", "in a merged layer", "in merged layers"],
    ["config", "config only", "config only"],
    ["none", "nothing", "nothing"],
  ];
  const ins = kinds.map(([k, one, more]) => [plan.instructions.filter((i) => i.becomes === k).length, one, more] as const).filter(([c]) => c > 0);
  out.push(
    "",
    `${plan.layers.length} layers: ${count("hit")} hit, ${count("miss")} miss${unknown > 0 ? `, ${unknown} unknown` : ""}; ${plan.instructions.length} instructions: ${ins.map(([c, one, more]) => `${c} ${c === 1 ? one : more}`).join(", ")}`,
  );
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  for (const n of plan.notes) out.push(`note: ${n}`);
  return `${out.join("\n")}\n`;
}

function dotEscape(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function dotQuote(s: string): string {
  return `"${dotEscape(s)}"`;
}

/** A label of left-justified lines: `\l` ends each (Graphviz's left-aligned line break), written after the line's text is escaped, so it stays a break. */
function dotLines(lines: readonly string[]): string {
  return `"${lines.map((l) => `${dotEscape(l)}\\l`).join("")}"`;
}

/** The fill of each cache state, and the border that marks a merged layer (the legend says the same). */
const FILL = { hit: "palegreen", miss: "lightpink", unknown: "khaki" } as const;
const MERGED = "color=blue, penwidth=2";
const EDGE_STYLE: Record<EdgeKind, string> = {
  next: "",
  "from-stage": ' [style=bold, label="FROM"]',
  "copy-from": ' [style=dashed, color=blue, label="COPY --from"]',
  "mount-from": ' [style=dotted, color=purple, label="RUN --mount"]',
};

function dotNode(n: GraphNode): string {
  const attrs = [`label=${dotLines(n.lines)}`];
  if (n.kind === "layer" && n.cache !== null) attrs.push(`fillcolor=${FILL[n.cache]}`);
  else attrs.push(`fillcolor=${n.kind === "pruned" ? "white" : "lightgrey"}`);
  if (n.kind === "image") attrs.push("shape=cylinder");
  if (n.merged) attrs.push(MERGED);
  // The miss reason where a viewer shows it: the node's tooltip (an SVG's <title>).
  if (n.reason !== null) attrs.push(`tooltip=${dotQuote(`${n.cache === "unknown" ? "why unknown" : "why a miss"}: ${n.reason}`)}`);
  return `${n.id} [${attrs.join(", ")}];`;
}

/** One plan's stage clusters, its image nodes and every edge (explain/graph.ts), names prefixed by `id` (one plan per platform in one picture), each line indented by `pad`. */
export function dotStages(plan: ExplainPlan, id = "", pad = "  "): string[] {
  const g = planGraph(plan, id);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (const c of g.clusters) {
    out.push(`${pad}subgraph cluster_${c.id} {`, `${pad}  label=${dotQuote(c.label)};`);
    for (const n of c.nodes) out.push(`${pad}  ${dotNode(byId.get(n) as GraphNode)}`);
    out.push(`${pad}}`);
  }
  for (const n of g.nodes) if (n.kind === "image") out.push(`${pad}${dotNode(n)}`);
  for (const e of g.edges) out.push(`${pad}${e.from} -> ${e.to}${EDGE_STYLE[e.kind]};`);
  return out;
}

/** The legend: what each fill and the merged border mean. */
export const DOT_LEGEND = [
  "  subgraph cluster_legend {",
  '    label="legend";',
  `    legend_hit [label="HIT (from the cache)", fillcolor=${FILL.hit}];`,
  `    legend_miss [label="MISS (runs)", fillcolor=${FILL.miss}];`,
  `    legend_unknown [label="unknown (base not looked up)", fillcolor=${FILL.unknown}];`,
  `    legend_merged [label="merged RUNs (one layer)", fillcolor=white, ${MERGED}];`,
  "    legend_hit -> legend_miss -> legend_unknown -> legend_merged [style=invis];",
  "  }",
];

/** The head of every picture: top to bottom, filled monospace boxes. */
export const DOT_HEAD = ["digraph strata {", "  rankdir=TB;", '  node [shape=box, style=filled, fontname="monospace"];'];

/** A Graphviz picture: one cluster per stage, layers as boxes (a merged layer one box listing its RUNs, with a blue border), hits green, misses red, unknown yellow, a legend. */
export function formatDot(plan: ExplainPlan): string {
  return `${[...DOT_HEAD, ...dotStages(plan), ...DOT_LEGEND, "}"].join("\n")}\n`;
}

/** A value as json or yaml; yaml is loaded only when asked for. */
export async function serialize(value: unknown, format: "json" | "yaml"): Promise<string> {
  if (format === "json") return `${JSON.stringify(value, null, 2)}\n`;
  // (bundled, yaml's CommonJS build shows its functions under `default`)
  const yaml = await import("yaml");
  return (yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify)(value);
}

/** The plan in a format. */
export async function formatPlan(plan: ExplainPlan, format: Exclude<ExplainFormat, "html">): Promise<string> {
  switch (format) {
    case "json":
    case "yaml":
      return serialize(plan, format);
    case "dot":
      return formatDot(plan);
    default:
      return formatText(plan);
  }
}
