/**
 * The terminal loop of `strata layers -i` (dive's browsing): the alternate screen in raw mode,
 * one redraw per key (view.ts), until q, Escape or Ctrl-C. Keys: ↑/↓ (k/j) move in the focused
 * pane, Tab switches pane, → / Enter open a directory and ← closes it (or goes to its parent),
 * space shows only the selected layer's changes. Own code, not a TUI library: two panes of lines
 * and a handful of keys, for which blessed or ink would be most of the package's weight.
 */
import type { LayerAnalysis } from "../../../image/waste/analyze.ts";
import { type TreeNode, treeAt, treeRows } from "./tree.ts";
import { renderView, type ViewState } from "./view.ts";

export async function runInteractive(a: LayerAnalysis, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<void> {
  const s: ViewState = { layer: Math.max(0, a.layers.length - 1), pane: "layers", cursor: 0, scroll: 0, onlyChanges: false, expanded: new Set() };
  let tree: TreeNode = treeAt(a.layers, s.layer);
  const rows = () => treeRows(tree, s.expanded, s.onlyChanges);
  const draw = (): void => {
    const height = output.rows || 24;
    const r = rows();
    s.cursor = Math.max(0, Math.min(s.cursor, r.length - 1));
    const body = Math.max(1, height - 4);
    if (s.cursor < s.scroll) s.scroll = s.cursor;
    if (s.cursor >= s.scroll + body) s.scroll = s.cursor - body + 1;
    output.write(`\x1b[H\x1b[2J${renderView(a, r, s, output.columns || 80, height).join("\r\n")}`);
  };
  const select = (layer: number): void => {
    s.layer = Math.max(0, Math.min(a.layers.length - 1, layer));
    tree = treeAt(a.layers, s.layer);
  };
  output.write("\x1b[?1049h\x1b[?25l");
  input.setRawMode(true);
  input.resume();
  draw();
  try {
    await new Promise<void>((done) => {
      const onKey = (buf: Buffer): void => {
        const k = buf.toString("utf8");
        const r = rows();
        const row = r[s.cursor];
        if (k === "q" || k === "\x03" || k === "\x1b") {
          input.off("data", onKey);
          done();
          return;
        }
        if (k === "\t") s.pane = s.pane === "layers" ? "tree" : "layers";
        else if (k === " ") s.onlyChanges = !s.onlyChanges;
        else if (k === "\x1b[A" || k === "k") {
          if (s.pane === "layers") select(s.layer - 1);
          else s.cursor--;
        } else if (k === "\x1b[B" || k === "j") {
          if (s.pane === "layers") select(s.layer + 1);
          else s.cursor++;
        } else if ((k === "\x1b[C" || k === "\r" || k === "l") && s.pane === "tree" && row?.node.dir) s.expanded.add(row.path);
        else if ((k === "\x1b[D" || k === "h") && s.pane === "tree" && row !== undefined) {
          if (row.open) s.expanded.delete(row.path);
          else {
            const parent = row.path.slice(0, row.path.lastIndexOf("/"));
            const at = r.findIndex((x) => x.path === parent);
            if (at >= 0) s.cursor = at;
          }
        }
        draw();
      };
      input.on("data", onKey);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    output.write("\x1b[?25h\x1b[?1049l");
  }
}
