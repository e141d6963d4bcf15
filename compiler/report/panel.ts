/**
 * The side panel of each node, rendered ahead as a hidden section the page's script shows on a
 * click (so the script never builds markup from data): for a layer its instructions with
 * file:line and source text, each step's own cache state, key and key parts
 * (explain/parts.ts), the miss reason, and after a build each step's time and layer size; for a
 * base its FROM and the stage's config instructions; for an image the layers that read it.
 */
import type { GraphNode, PlanGraph } from "../explain/graph.ts";
import { runsText } from "../explain/graph.ts";
import type { LayerParts } from "../explain/parts.ts";
import type { ExplainPlan } from "../explain/schema.ts";
import { html } from "./escape.ts";
import type { ReportFacts, StepRun } from "./facts.ts";

const MARK = { hit: "HIT", miss: "MISS", unknown: "UNKNOWN" } as const;

/** 1536 → "1.5 kB", as docker prints sizes (powers of 1000). */
export function humanSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = bytes;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

function row(name: string, value: string, cls = ""): string {
  return `<tr${cls ? ` class="${cls}"` : ""}><th>${html(name)}</th><td>${value}</td></tr>`;
}

function code(text: string): string {
  return `<code>${html(text)}</code>`;
}

function partsTable(p: LayerParts, run: StepRun | undefined): string {
  const rows = [row("key", code(p.key)), row("parent", code(p.parent))];
  if (p.layer === 0) rows.push(row("base", code(p.base)));
  rows.push(row("op", code(p.op)));
  if (p.env.length > 0) rows.push(row("env", p.env.map(code).join("<br>")));
  if (p.input !== undefined) rows.push(row("input", code(JSON.stringify(p.input))));
  if (p.files !== undefined) {
    const files = Object.entries(p.files);
    const shown = files.slice(0, 20).map(([f, h]) => `${code(f)} ${code(h.slice(0, 19))}`);
    if (files.length > 20) shown.push(html(`and ${files.length - 20} more`));
    rows.push(row(`files (${files.length})`, shown.join("<br>")));
  }
  if (run !== undefined) {
    rows.push(row("time", html(run.cached ? "cached" : seconds(run.seconds)), "time"));
    if (run.size !== null) rows.push(row("size", html(humanSize(run.size)), "size"));
  }
  return `<table class="parts">${rows.join("")}</table>`;
}

function layerPanel(plan: ExplainPlan, n: GraphNode, facts: ReportFacts): string {
  const l = n.entry;
  if (l === null || n.layer === null) return "";
  const stage = plan.stages.find((s) => s.index === l.stage);
  const out = [`<h2>layer #${n.layer + 1} <span class="badge c-${l.cache}">${MARK[l.cache]}</span></h2>`, `<p class="stage">stage ${l.stage}${stage?.name ? html(` (${stage.name})`) : ""}</p>`];
  if (l.reason !== null) out.push(`<p class="reason" data-reason>${html(`${l.cache === "unknown" ? "why unknown" : "why a miss"}: ${l.reason}`)}</p>`);
  if (l.merged && l.runs) out.push(`<p class="merged-note">merged: ${l.instructions.length} RUNs in one image layer; ${html(runsText(l.runs))}</p>`);
  if (l.notMerged) out.push(`<p class="note">not merged with the RUN before: ${html(l.notMerged)}</p>`);
  const runs = l.stepKeys.map((k) => facts.steps?.get(k));
  if (runs.some((r) => r !== undefined)) {
    const time = runs.reduce((a, r) => a + (r?.seconds ?? 0), 0);
    const sizes = runs.map((r) => r?.size ?? null);
    const all = runs.every((r) => r?.cached === true);
    const size = sizes.every((s) => s !== null) ? humanSize(sizes.reduce((a: number, s) => a + (s ?? 0), 0)) : "unknown";
    out.push(`<table class="built">${row("time", html(all ? "cached" : seconds(time)), "time")}${row(l.merged ? "size (its RUNs' layers)" : "size", html(size), "size")}</table>`);
  }
  out.push(`<table class="parts">${row("cache key", code(l.cacheKey))}</table>`, "<h3>instructions</h3>", '<ol class="instructions">');
  for (const i of l.instructions) {
    const mark = l.merged ? ` <span class="badge c-${i.cache}">${MARK[i.cache]}</span>` : "";
    const why = l.merged && i.reason !== null ? `<div class="reason">${html(i.reason)}</div>` : "";
    out.push(`<li><div class="where">${html(`${i.file}:${i.line}`)}${mark}</div><pre>${html(i.text)}</pre>${why}</li>`);
  }
  out.push("</ol>");
  const byKey = new Map((facts.parts ?? []).map((p) => [p.key, p]));
  const parts = l.stepKeys.map((k) => byKey.get(k));
  if (parts.some((p) => p !== undefined)) {
    out.push(`<h3>cache key parts${l.merged ? " (per RUN)" : ""}</h3>`);
    parts.forEach((p, k) => {
      if (p === undefined) return;
      if (l.merged) out.push(`<h4>${html(`line ${p.lines[0]}: ${p.texts[0] ?? ""}`)}</h4>`);
      out.push(partsTable(p, runs[k]));
    });
  }
  return out.join("\n");
}

function basePanel(plan: ExplainPlan, n: GraphNode): string {
  const s = plan.stages.find((st) => st.index === n.stage);
  if (s === undefined) return "";
  const out = [`<h2>${html(`FROM ${s.base}`)}</h2>`, `<p class="stage">stage ${s.index}${s.name ? html(` (${s.name})`) : ""}${s.used ? "" : ": pruned, the target does not need it"}</p>`];
  const config = plan.instructions.filter((i) => i.stage === s.index && i.layer === null);
  if (config.length > 0) {
    out.push("<h3>base and config instructions</h3>", '<ol class="instructions">');
    for (const i of config) out.push(`<li><div class="where">${html(`${i.file}:${i.line}`)} <span class="becomes">${i.becomes}</span></div><pre>${html(i.text)}</pre></li>`);
    out.push("</ol>");
  }
  return out.join("\n");
}

function imagePanel(g: PlanGraph, n: GraphNode): string {
  const readers = g.edges.filter((e) => e.from === n.id).map((e) => g.nodes.find((o) => o.id === e.to)?.layer);
  return [`<h2>${html(n.lines[0] ?? "")}</h2>`, `<p>read by ${readers.map((l) => (l === null || l === undefined ? "?" : `layer #${l + 1}`)).join(", ")} (COPY --from or RUN --mount from=)</p>`].join("\n");
}

/** Every node's panel, hidden until its node is selected. */
export function panels(plan: ExplainPlan, g: PlanGraph, facts: ReportFacts): string {
  return g.nodes
    .map((n) => {
      const body = n.kind === "layer" ? layerPanel(plan, n, facts) : n.kind === "image" ? imagePanel(g, n) : basePanel(plan, n);
      return `<section class="panel" data-panel="${html(n.id)}" hidden>\n${body}\n</section>`;
    })
    .join("\n");
}
