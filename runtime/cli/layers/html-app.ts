/**
 * The CSS and the script of the `strata layers` HTML page (html.ts), as strings to inline.
 * The script reads the data element, lists the layers, and for the selected layer replays every
 * layer's changes up to it into a tree (a removal deletes the path and what is under it), marking
 * the selected layer's own changes; directories open on click; sizes are decimal, as docker's.
 * Plain DOM, no library: the page must work opened from a file with no network.
 */
export const LAYERS_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{padding:8px 16px;background:#f4f4f4;border-bottom:1px solid #ddd}
h1{font-size:18px;margin:0}h2{font-size:15px;margin:8px 0}
#summary span{margin-right:16px}
main{display:flex;gap:16px;padding:0 16px;min-height:60vh}
#layers-pane{flex:0 0 38%;overflow:auto;max-height:75vh}
#tree-pane{flex:1;overflow:auto;max-height:75vh}
#layers{list-style:none;padding:0;margin:0}
#layers li{padding:6px;border:1px solid #ddd;margin-bottom:4px;cursor:pointer;font-family:monospace;font-size:12px}
#layers li.selected{background:#e6f0ff;border-color:#69f}
#layers li .waste{color:#b00}
.controls{display:flex;gap:12px;align-items:center;margin-bottom:6px}
#tree{font-family:monospace;font-size:12px;white-space:pre}
.node{cursor:default}.dir{cursor:pointer;font-weight:bold}
.size{display:inline-block;width:80px;text-align:right;margin-right:8px;color:#555}
.A{color:#080}.C{color:#a60}.D{color:#b00;text-decoration:line-through}
.mark{display:inline-block;width:14px}
#wasted-pane{padding:0 16px 16px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
`;

export const LAYERS_APP = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var units = ["B", "kB", "MB", "GB", "TB"];
  function human(n) { var i = 0; while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; } return (i === 0 ? n : Number(n.toPrecision(3))) + units[i]; }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  var summary = document.getElementById("summary");
  [["Size", human(data.size)], ["Wasted", human(data.wastedBytes) + " (" + data.wastedBytes + " bytes)"], ["Efficiency", (Math.floor(data.efficiency * 1000) / 10).toFixed(1) + " %"], ["Layers", String(data.layers.length)]].forEach(function (p) {
    var s = el("span"); s.appendChild(el("b", "", p[0] + ": ")); s.appendChild(document.createTextNode(p[1])); summary.appendChild(s);
  });
  var list = document.getElementById("layers");
  var selected = data.layers.length - 1;
  data.layers.forEach(function (l, i) {
    var li = el("li"); li.dataset.index = String(i);
    li.appendChild(el("div", "", "#" + i + "  " + human(l.size) + "  +" + l.added + " ~" + l.changed + " -" + l.removed));
    if (l.wastedBytes > 0) li.appendChild(el("div", "waste", "wasted " + human(l.wastedBytes)));
    li.appendChild(el("div", "", l.createdBy));
    li.addEventListener("click", function () { select(i); });
    list.appendChild(li);
  });
  function newDir() { return { dir: true, size: 0, children: new Map(), mark: "" }; }
  function treeAt(n) {
    var root = newDir();
    for (var i = 0; i <= n; i++) {
      data.layers[i].changes.forEach(function (c) {
        var parts = c[0].split("/").filter(Boolean), at = root;
        for (var k = 0; k < parts.length - 1; k++) {
          var next = at.children.get(parts[k]);
          if (!next || !next.dir) { if (c[3] === "D" && i < n) return; next = newDir(); if (c[3] === "D") next.mark = "D"; at.children.set(parts[k], next); }
          at = next;
        }
        var name = parts[parts.length - 1], old = at.children.get(name);
        var mark = i === n ? c[3] : "";
        if (c[3] === "D") { if (i === n) at.children.set(name, { dir: c[1] === "dir", size: c[2], children: new Map(), mark: "D" }); else at.children.delete(name); return; }
        if (c[1] === "dir") { if (old && old.dir) { if (mark) old.mark = mark; return; } var d = newDir(); d.mark = mark; at.children.set(name, d); return; }
        at.children.set(name, { dir: false, size: c[2], children: null, mark: mark });
      });
    }
    (function sum(node) { if (!node.dir) return node.size; var t = 0; node.children.forEach(function (ch) { var n = sum(ch); if (ch.mark !== "D" || node.mark === "D") t += n; }); node.size = t; return t; })(root);
    (function changed(node) { if (!node.dir) return node.mark !== ""; var any = node.mark !== ""; node.children.forEach(function (ch) { if (changed(ch)) any = true; }); node.hasChange = any; return any; })(root);
    return root;
  }
  var onlyChanges = document.getElementById("only-changes"), filter = document.getElementById("filter"), treeEl = document.getElementById("tree");
  var current;
  function visible(node, path) {
    if (onlyChanges.checked && !(node.dir ? node.hasChange : node.mark !== "")) return false;
    var f = filter.value.trim();
    if (f === "") return true;
    if (path.indexOf(f) >= 0) return true;
    if (!node.dir) return false;
    var any = false; node.children.forEach(function (ch, name) { if (!any && visible(ch, path + "/" + name)) any = true; }); return any;
  }
  function render(container, node, path, depth, open) {
    var names = Array.from(node.children.keys()).sort();
    names.forEach(function (name) {
      var ch = node.children.get(name), p = path + "/" + name;
      if (!visible(ch, p)) return;
      var row = el("div", "node" + (ch.dir ? " dir" : "") + (ch.mark ? " " + ch.mark : ""));
      row.setAttribute("role", "treeitem"); row.dataset.path = p;
      row.appendChild(el("span", "mark", ch.mark || (ch.dir && ch.hasChange ? "•" : "")));
      row.appendChild(el("span", "size", human(ch.size)));
      row.appendChild(document.createTextNode("  ".repeat(depth) + (ch.dir ? (open ? "▾ " : "▸ ") : "  ") + name + (ch.dir ? "/" : "")));
      container.appendChild(row);
      if (ch.dir) {
        var kids = el("div"); kids.hidden = !open; container.appendChild(kids);
        var drawn = false;
        var draw = function () { if (!drawn) { render(kids, ch, p, depth + 1, open); drawn = true; } };
        if (open) draw();
        row.addEventListener("click", function () { draw(); kids.hidden = !kids.hidden; row.lastChild.textContent = "  ".repeat(depth) + (kids.hidden ? "▸ " : "▾ ") + name + "/"; });
      }
    });
  }
  function redraw() {
    treeEl.textContent = "";
    var open = onlyChanges.checked || filter.value.trim() !== "";
    render(treeEl, current, "", 0, open);
  }
  function select(i) {
    selected = i;
    Array.prototype.forEach.call(list.children, function (li) { li.classList.toggle("selected", Number(li.dataset.index) === i); });
    document.getElementById("layer-title").textContent = "layer " + i;
    current = treeAt(i);
    redraw();
  }
  onlyChanges.addEventListener("change", redraw);
  filter.addEventListener("input", redraw);
  var tbody = document.querySelector("#wasted tbody");
  if (data.wasted.length === 0) { var tr0 = el("tr"); tr0.appendChild(el("td", "", "none")); tbody.appendChild(tr0); }
  // The biggest first, at most WASTED_ROWS of them (strata layers --format json lists all).
  var WASTED_ROWS = 500;
  data.wasted.slice(0, WASTED_ROWS).forEach(function (w) {
    var tr = el("tr");
    [human(w.size) + " (" + w.size + ")", w.path, "#" + w.addedBy, "#" + w.removedBy + " (" + w.how + ")"].forEach(function (t) { tr.appendChild(el("td", "", t)); });
    tbody.appendChild(tr);
  });
  if (data.wasted.length > WASTED_ROWS) { var more = el("tr"); more.appendChild(el("td", "", "… and " + (data.wasted.length - WASTED_ROWS) + " more (strata layers --format json lists them all)")); tbody.appendChild(more); }
  if (data.layers.length > 0) select(selected);
})();
`;
