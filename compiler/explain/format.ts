import type { ExplainPlan } from "./schema.ts";

export type ExplainFormat = "text" | "json" | "yaml" | "dot";

/** The plan as a person reads it. */
export function formatText(plan: ExplainPlan): string {
  const out: string[] = [`target: ${plan.target}`, "", "stages:"];
  for (const s of plan.stages) out.push(`  ${s.index}${s.name ? ` (${s.name})` : ""}  FROM ${s.base}${s.used ? "" : "  [pruned: the target does not need it]"}`);
  out.push("", "layers:");
  plan.layers.forEach((l, n) => {
    const head = `  #${n + 1} stage ${l.stage}  ${l.cache === "hit" ? "HIT " : l.cache === "miss" ? "MISS" : "UNKNOWN"}  ${l.cacheKey.slice(7, 19)}`;
    out.push(head);
    for (const ins of l.instructions) out.push(`      ${ins.file}:${ins.line}  ${ins.text}`);
    if (l.merged) out.push(`      merged: ${l.instructions.length} RUNs in one layer`);
    if (l.notMerged) out.push(`      not merged with the RUN before: ${l.notMerged}`);
    if (l.reason) out.push(`      ${l.cache === "unknown" ? "why unknown" : "why a miss"}: ${l.reason}`);
  });
  const count = (c: string): number => plan.layers.filter((l) => l.cache === c).length;
  const unknown = count("unknown");
  out.push("", `${plan.layers.length} layers: ${count("hit")} hit, ${count("miss")} miss${unknown > 0 ? `, ${unknown} unknown` : ""}`);
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  for (const n of plan.notes) out.push(`note: ${n}`);
  return `${out.join("\n")}\n`;
}

function dotQuote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A Graphviz picture: one cluster per stage, layers as boxes, hits green, misses red, unknown yellow. */
export function formatDot(plan: ExplainPlan): string {
  const out = ["digraph strata {", "  rankdir=TB;", '  node [shape=box, style=filled, fontname="monospace"];'];
  for (const s of plan.stages) {
    out.push(`  subgraph cluster_${s.index} {`, `    label=${dotQuote(`stage ${s.index}${s.name ? ` ${s.name}` : ""}${s.used ? "" : " (pruned)"}`)};`);
    out.push(`    s${s.index} [label=${dotQuote(`FROM ${s.base}`)}, fillcolor=${s.used ? "lightgrey" : "white"}];`);
    let prev = `s${s.index}`;
    plan.layers.forEach((l, n) => {
      if (l.stage !== s.index) return;
      const label = l.instructions.map((i) => `${i.line}: ${i.text.length > 50 ? `${i.text.slice(0, 49)}…` : i.text}`).join("\\l");
      out.push(`    l${n} [label=${dotQuote(label)}, fillcolor=${l.cache === "hit" ? "palegreen" : l.cache === "miss" ? "lightpink" : "khaki"}];`, `    ${prev} -> l${n};`);
      prev = `l${n}`;
    });
    out.push("  }");
  }
  plan.stages.forEach((s) => {
    if (s.base !== "scratch") {
      const from = plan.stages.find((o) => o.name === s.base || String(o.index) === s.base);
      if (from && from.index !== s.index) out.push(`  s${from.index} -> s${s.index} [style=dashed];`);
    }
  });
  out.push("}");
  return `${out.join("\n")}\n`;
}

/** The plan in a format; yaml is loaded only when asked for. */
export async function formatPlan(plan: ExplainPlan, format: ExplainFormat): Promise<string> {
  switch (format) {
    case "json":
      return `${JSON.stringify(plan, null, 2)}\n`;
    case "yaml":
    {
      // (bundled, yaml's CommonJS build shows its functions under `default`)
      const yaml = await import("yaml");
      return (yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify)(plan);
    }
    case "dot":
      return formatDot(plan);
    default:
      return formatText(plan);
  }
}
