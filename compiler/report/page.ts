/**
 * `strata explain --format html` and `strata build --report FILE.html`: one self-contained page
 * (no network: the style and the script are inline) with the build graph as static SVG (laid
 * out here by layout.ts), a legend, the plan's counts, warnings and notes, and a side panel per
 * node (panel.ts) that a click or Enter on the node shows. The script only toggles what is
 * rendered here, so no text of the Dockerfile is ever parsed as markup.
 */
import { planGraph } from "../explain/graph.ts";
import type { ExplainPlan } from "../explain/schema.ts";
import { html } from "./escape.ts";
import type { ReportFacts } from "./facts.ts";
import { layoutGraph } from "./layout.ts";
import { humanSize, panels, seconds } from "./panel.ts";
import { graphSvg } from "./svg.ts";

const STYLE = `
:root { --hit: #b7ebb7; --miss: #f6b8c6; --unknown: #f0e68c; --merged: #1f4fd1; --line: #555; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1b1b1b; display: grid; grid-template-rows: auto 1fr; height: 100vh; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; }
header h1 { font-size: 16px; margin: 0; }
.legend { display: flex; gap: 12px; flex-wrap: wrap; }
.legend span { display: inline-flex; align-items: center; gap: 4px; }
.swatch { width: 14px; height: 14px; border: 1px solid #777; display: inline-block; border-radius: 2px; }
.swatch.c-hit { background: var(--hit); } .swatch.c-miss { background: var(--miss); } .swatch.c-unknown { background: var(--unknown); }
.swatch.merged { background: #fff; border: 2px solid var(--merged); }
main { display: grid; grid-template-columns: 1fr minmax(320px, 36%); min-height: 0; }
#graph { overflow: auto; padding: 8px; }
aside { border-left: 1px solid #ddd; overflow: auto; padding: 8px 16px; }
svg text { font: 12px monospace; fill: #111; white-space: pre; }
.cluster rect { fill: #fafafa; stroke: #bbb; stroke-dasharray: 4 3; }
.cluster text { font: 12px system-ui, sans-serif; fill: #555; }
.node rect { fill: #e4e4e4; stroke: #666; stroke-width: 1; }
.node { cursor: pointer; outline: none; }
.node.c-hit rect { fill: var(--hit); } .node.c-miss rect { fill: var(--miss); } .node.c-unknown rect { fill: var(--unknown); }
.node.k-pruned rect { fill: #fff; stroke-dasharray: 3 2; }
.node.merged rect { stroke: var(--merged); stroke-width: 2.5; }
.node:hover rect, .node:focus rect { stroke-width: 2.5; }
.node.selected rect { stroke: #000; stroke-width: 3; }
.edge { fill: none; stroke: var(--line); stroke-width: 1.3; }
.edge.e-from-stage { stroke-width: 2.2; }
.edge.e-copy-from { stroke: #1f4fd1; stroke-dasharray: 6 4; }
.edge.e-mount-from { stroke: #8a2be2; stroke-dasharray: 2 3; }
.edge.lit { stroke: #000; stroke-width: 2.5; }
marker path { fill: var(--line); } .m-copy-from path { fill: #1f4fd1; } .m-mount-from path { fill: #8a2be2; }
.badge { font: 11px monospace; padding: 1px 5px; border-radius: 3px; border: 1px solid #888; }
.badge.c-hit { background: var(--hit); } .badge.c-miss { background: var(--miss); } .badge.c-unknown { background: var(--unknown); }
.reason { background: #fff4f6; border-left: 3px solid #d33; padding: 4px 8px; }
pre { margin: 2px 0 6px; white-space: pre-wrap; word-break: break-word; background: #f5f5f5; padding: 4px 6px; }
.instructions { padding-left: 20px; } .where { font: 12px monospace; color: #555; }
table { border-collapse: collapse; margin: 4px 0 8px; } th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; font-weight: 600; white-space: nowrap; }
td { word-break: break-all; } code { font: 12px monospace; }
.notes { margin: 0; padding-left: 18px; color: #6a4b00; }
`;

const SCRIPT = `
(() => {
  const svg = document.querySelector("svg.graph");
  const hint = document.getElementById("hint");
  const select = (id) => {
    for (const p of document.querySelectorAll(".panel")) p.hidden = p.dataset.panel !== id;
    for (const n of svg.querySelectorAll(".node")) n.classList.toggle("selected", n.dataset.node === id);
    for (const e of svg.querySelectorAll(".edge")) e.classList.toggle("lit", e.dataset.from === id || e.dataset.to === id);
    hint.hidden = true;
  };
  svg.addEventListener("click", (ev) => { const n = ev.target.closest(".node"); if (n) select(n.dataset.node); });
  svg.addEventListener("keydown", (ev) => {
    const n = ev.target.closest(".node");
    if (n && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); select(n.dataset.node); }
  });
  document.body.dataset.ready = "true";
})();
`;

function summary(plan: ExplainPlan, facts: ReportFacts): string {
  const count = (c: string): number => plan.layers.filter((l) => l.cache === c).length;
  const parts = [`${plan.layers.length} layers: ${count("hit")} hit, ${count("miss")} miss`];
  if (count("unknown") > 0) parts.push(`${count("unknown")} unknown`);
  if (facts.steps !== undefined) {
    const runs = [...facts.steps.values()];
    parts.push(`built in ${seconds(runs.reduce((a, r) => a + r.seconds, 0))} of step time`);
    const sized = runs.filter((r) => r.size !== null);
    if (sized.length > 0) parts.push(`${humanSize(sized.reduce((a, r) => a + (r.size ?? 0), 0))} of layers`);
  }
  return parts.join(", ");
}

/** The page; the layout library is loaded here, only when a page is made. */
export async function renderReport(plan: ExplainPlan, facts: ReportFacts = {}): Promise<string> {
  const g = planGraph(plan);
  const svg = graphSvg(await layoutGraph(g));
  const title = `strata ${facts.title ?? "explain"}: target ${plan.target}`;
  const notes = [...plan.warnings.map((w) => `warning: ${w}`), ...plan.notes.map((n) => `note: ${n}`)];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${html(title)}</h1>
<span class="summary">${html(summary(plan, facts))}</span>
<div class="legend" aria-label="legend"><span><i class="swatch c-hit"></i>HIT (from the cache)</span><span><i class="swatch c-miss"></i>MISS (runs)</span><span><i class="swatch c-unknown"></i>unknown (base not looked up)</span><span><i class="swatch merged"></i>merged RUNs (one layer)</span><span>edges: → next layer, ━ FROM stage, ╌ COPY --from, ┈ RUN --mount</span></div>
${notes.length > 0 ? `<ul class="notes">${notes.map((n) => `<li>${html(n)}</li>`).join("")}</ul>` : ""}
</header>
<main>
<div id="graph">
${svg}
</div>
<aside>
<p id="hint">Select a layer to see its instructions, cache key parts and why it misses.</p>
${panels(plan, g, facts)}
</aside>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
