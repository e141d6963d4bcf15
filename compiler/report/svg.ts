/**
 * The laid-out graph (layout.ts) as static SVG: a box per node, coloured by its cache state, a
 * blue border on merged layers, a cluster per stage, an arrow per edge. Every element a spec or
 * the page's script finds carries a data attribute: `data-node` (and `data-kind`, `data-cache`)
 * on nodes, `data-edge` (and `data-kind`, `data-from`, `data-to`) on edges, `data-stage` on
 * clusters. Every text is escaped.
 */
import { html } from "./escape.ts";
import { LINE_HEIGHT, type Laid } from "./layout.ts";

const r = (n: number): string => String(Math.round(n * 10) / 10);

function nodeSvg(n: Laid["nodes"][number]): string {
  const cls = ["node", `k-${n.kind}`, n.cache ? `c-${n.cache}` : "", n.merged ? "merged" : ""].filter((c) => c !== "").join(" ");
  const attrs = [`class="${cls}"`, `data-node="${html(n.id)}"`, `data-kind="${n.kind}"`, ...(n.cache ? [`data-cache="${n.cache}"`] : []), 'tabindex="0"', 'role="button"'];
  const tip = n.reason !== null ? `<title>${html(`${n.cache === "unknown" ? "why unknown" : "why a miss"}: ${n.reason}`)}</title>` : `<title>${html(n.lines[0] ?? "")}</title>`;
  const rx = n.kind === "image" ? 12 : 3;
  const lines = n.lines.map((l, i) => `<text x="${r(n.x + 10)}" y="${r(n.y + 8 + (i + 1) * LINE_HEIGHT - 3.5)}">${html(l)}</text>`).join("");
  return `<g ${attrs.join(" ")}>${tip}<rect x="${r(n.x)}" y="${r(n.y)}" width="${r(n.width)}" height="${r(n.height)}" rx="${rx}"/>${lines}</g>`;
}

function edgeSvg(e: Laid["edges"][number]): string {
  const d = e.points.map((p, i) => `${i === 0 ? "M" : "L"}${r(p.x)},${r(p.y)}`).join(" ");
  return `<path class="edge e-${e.kind}" data-edge="${html(`${e.from}->${e.to}`)}" data-kind="${e.kind}" data-from="${html(e.from)}" data-to="${html(e.to)}" d="${d}" marker-end="url(#arrow-${e.kind})"/>`;
}

const MARKERS = ["next", "from-stage", "copy-from", "mount-from"]
  .map((k) => `<marker id="arrow-${k}" class="m-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`)
  .join("");

export function graphSvg(g: Laid): string {
  const clusters = g.clusters.map((c) => `<g class="cluster" data-stage="${c.stage}"><rect x="${r(c.x)}" y="${r(c.y)}" width="${r(c.width)}" height="${r(c.height)}" rx="6"/><text x="${r(c.x + 8)}" y="${r(c.y + 15)}">${html(c.label)}</text></g>`);
  return [
    `<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${r(g.width)}" height="${r(g.height)}" viewBox="0 0 ${r(g.width)} ${r(g.height)}">`,
    `<defs>${MARKERS}</defs>`,
    ...clusters,
    ...g.edges.map(edgeSvg),
    ...g.nodes.map(nodeSvg),
    "</svg>",
  ].join("\n");
}
