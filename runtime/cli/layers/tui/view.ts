/**
 * The screen of `strata layers -i` as lines of text, from its state: the layers on the left
 * (the selected one highlighted), the file tree of the selected layer on the right (tree.ts; the
 * cursor's row highlighted when that pane has the focus), a status line with the image's totals
 * and the keys. Pure: the terminal loop (run.ts) writes what this returns.
 */
import type { LayerAnalysis } from "../../../image/waste/analyze.ts";
import { humanSize } from "../../format.ts";
import type { TreeRow } from "./tree.ts";

export interface ViewState {
  layer: number;
  pane: "layers" | "tree";
  cursor: number;
  /** The first tree row on screen. */
  scroll: number;
  onlyChanges: boolean;
  readonly expanded: Set<string>;
}

const INVERSE = "\x1b[7m";
const RESET = "\x1b[0m";
const COLOURS: Record<string, string> = { A: "\x1b[32m", C: "\x1b[33m", D: "\x1b[31m" };

const pad = (s: string, w: number): string => {
  const chars = [...s];
  return chars.length > w ? `${chars.slice(0, Math.max(0, w - 1)).join("")}…` : s + " ".repeat(w - chars.length);
};

export function renderView(a: LayerAnalysis, rows: readonly TreeRow[], s: ViewState, width: number, height: number): string[] {
  const left = Math.max(20, Math.min(60, Math.floor(width * 0.4)));
  const right = Math.max(10, width - left - 3);
  const body = Math.max(1, height - 3);
  const leftLines = [pad(" Layers", left)];
  for (const l of a.layers) {
    const text = pad(` #${l.index} ${humanSize(l.size)}${l.wastedBytes > 0 ? ` wasted ${humanSize(l.wastedBytes)}` : ""}  ${l.createdBy}`, left);
    leftLines.push(l.index === s.layer ? `${INVERSE}${text}${RESET}` : text);
  }
  const rightLines = [pad(` Files as of layer ${s.layer}${s.onlyChanges ? " (only its changes)" : ""}`, right)];
  for (const [k, r] of rows.slice(s.scroll, s.scroll + body - 1).entries()) {
    const at = s.scroll + k;
    const n = r.node;
    const sign = n.dir ? (r.open ? "▾ " : "▸ ") : "  ";
    const text = pad(`${(n.mark || (n.dir && n.changed ? "•" : " ")).padEnd(2)}${humanSize(n.size).padStart(8)}  ${"  ".repeat(r.depth)}${sign}${n.name}${n.dir ? "/" : ""}`, right);
    const coloured = n.mark ? `${COLOURS[n.mark]}${text}${RESET}` : text;
    rightLines.push(s.pane === "tree" && at === s.cursor ? `${INVERSE}${text}${RESET}` : coloured);
  }
  const out: string[] = [];
  for (let i = 0; i < body; i++) out.push(`${leftLines[i] ?? " ".repeat(left)} │ ${rightLines[i] ?? ""}`);
  out.push("─".repeat(width));
  const eff = `${(Math.floor(a.efficiency * 1000) / 10).toFixed(1)} %`;
  out.push(pad(` efficiency ${eff}  wasted ${humanSize(a.wastedBytes)}  size ${humanSize(a.size)}   ↑↓ move  tab pane  ←→ fold  space only changes  q quit`, width));
  return out;
}
