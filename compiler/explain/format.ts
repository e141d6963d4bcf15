/** `strata explain`'s formats of one plan: text (for a person), json and yaml (explain/schema.ts), dot (Graphviz). */
import type { ExplainPlan } from "./schema.ts";

export type ExplainFormat = "text" | "json" | "yaml" | "dot";

const MARK = { hit: "HIT", miss: "MISS", unknown: "UNKNOWN" } as const;

/** A long instruction cut to `max` characters, ending in an ellipsis. */
function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

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

/** "2 of 3 RUNs cached, 1 runs" for a merged layer. */
function runsText(runs: NonNullable<ExplainPlan["layers"][number]["runs"]>): string {
  const total = runs.cached + runs.run + runs.unknown;
  const parts = [`${runs.cached} of ${total} RUNs cached`];
  if (runs.run > 0) parts.push(`${runs.run} ${runs.run === 1 ? "runs" : "run"}`);
  if (runs.unknown > 0) parts.push(`${runs.unknown} unknown`);
  return parts.join(", ");
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
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

export function dotQuote(s: string): string {
  return `"${dotEscape(s)}"`;
}

/** A label of left-justified lines (`\l` ends each: Graphviz's line break, escaped after the text is). */
function dotLines(lines: readonly string[]): string {
  return `"${lines.map((l) => `${dotEscape(l)}\\l`).join("")}"`;
}

/** One plan's stage clusters and their edges, its node and cluster names prefixed by `id` (one plan per platform in one picture), each line indented by `pad`. */
export function dotStages(plan: ExplainPlan, id = "", pad = "  "): string[] {
  const out: string[] = [];
  for (const s of plan.stages) {
    out.push(`${pad}subgraph cluster_${id}${s.index} {`, `${pad}  label=${dotQuote(`stage ${s.index}${s.name ? ` ${s.name}` : ""}${s.used ? "" : " (pruned)"}`)};`);
    out.push(`${pad}  ${id}s${s.index} [label=${dotQuote(`FROM ${s.base}`)}, fillcolor=${s.used ? "lightgrey" : "white"}];`);
    let prev = `${id}s${s.index}`;
    plan.layers.forEach((l, n) => {
      if (l.stage !== s.index) return;
      const lines = l.instructions.map((i) => `${i.line}: ${clip(i.text, 50)}${l.merged ? `  ${MARK[i.cache]}` : ""}`);
      if (l.runs) lines.push(`merged: ${runsText(l.runs)}`);
      out.push(`${pad}  ${id}l${n} [label=${dotLines(lines)}, fillcolor=${l.cache === "hit" ? "palegreen" : l.cache === "miss" ? "lightpink" : "khaki"}];`, `${pad}  ${prev} -> ${id}l${n};`);
      prev = `${id}l${n}`;
    });
    out.push(`${pad}}`);
  }
  plan.stages.forEach((s) => {
    if (s.base !== "scratch") {
      const from = plan.stages.find((o) => o.name === s.base || String(o.index) === s.base);
      if (from && from.index !== s.index) out.push(`${pad}${id}s${from.index} -> ${id}s${s.index} [style=dashed];`);
    }
  });
  return out;
}

/** The head of every picture: top to bottom, filled monospace boxes. */
export const DOT_HEAD = ["digraph strata {", "  rankdir=TB;", '  node [shape=box, style=filled, fontname="monospace"];'];

/** A Graphviz picture: one cluster per stage, layers as boxes (a merged layer one box listing its RUNs), hits green, misses red, unknown yellow. */
export function formatDot(plan: ExplainPlan): string {
  return `${[...DOT_HEAD, ...dotStages(plan), "}"].join("\n")}\n`;
}

/** A value as json or yaml; yaml is loaded only when asked for. */
export async function serialize(value: unknown, format: "json" | "yaml"): Promise<string> {
  if (format === "json") return `${JSON.stringify(value, null, 2)}\n`;
  // (bundled, yaml's CommonJS build shows its functions under `default`)
  const yaml = await import("yaml");
  return (yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify)(value);
}

/** The plan in a format. */
export async function formatPlan(plan: ExplainPlan, format: ExplainFormat): Promise<string> {
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
