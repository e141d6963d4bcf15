/**
 * `strata layers --format html`: one self-contained HTML page (no network: the CSS and the script
 * are inline, the data a JSON script element) to browse an image's layers as dive does: the layers
 * on the left (size, wasted bytes, instruction), on the right the image's file tree as of the
 * selected layer — that layer's additions (A), changes (C) and removals (D) marked, a switch to
 * show only them, a path filter — and the wasted files below. The page rebuilds each layer's tree
 * by replaying the layers' changes (analyze.ts `changes`), so the data holds each entry once.
 */
import type { LayerAnalysis } from "../../image/waste/analyze.ts";
import { LAYERS_APP, LAYERS_CSS } from "./html-app.ts";

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that cannot end the script element it sits in. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

export function layersHtml(name: string, id: string, a: LayerAnalysis): string {
  const data = {
    image: name,
    id,
    size: a.size,
    wastedBytes: a.wastedBytes,
    wastedUserRatio: a.wastedUserRatio,
    efficiency: a.efficiency,
    layers: a.layers.map((l) => ({ index: l.index, size: l.size, added: l.added, changed: l.changed, removed: l.removed, wastedBytes: l.wastedBytes, createdBy: l.createdBy, changes: (l.changes ?? []).map((c) => [c.path, c.type, c.size, c.change]) })),
    wasted: a.wasted,
    biggest: a.biggest,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>strata layers ${escapeHtml(name)}</title>
<style>${LAYERS_CSS}</style>
</head>
<body>
<header><h1>strata layers <span id="image">${escapeHtml(name)}</span></h1><div id="summary"></div></header>
<main>
<section id="layers-pane"><h2>Layers</h2><ol id="layers"></ol></section>
<section id="tree-pane">
<h2>Files as of <span id="layer-title"></span></h2>
<div class="controls"><label><input type="checkbox" id="only-changes"> only this layer's changes</label>
<input type="search" id="filter" placeholder="filter paths">
<span class="legend"><span class="A">A added</span> <span class="C">C changed</span> <span class="D">D removed</span></span></div>
<div id="tree" role="tree"></div>
</section>
</main>
<section id="wasted-pane"><h2>Wasted files</h2><table id="wasted"><thead><tr><th>Size</th><th>Path</th><th>Added by</th><th>Removed by</th></tr></thead><tbody></tbody></table></section>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${LAYERS_APP}</script>
</body>
</html>
`;
}
