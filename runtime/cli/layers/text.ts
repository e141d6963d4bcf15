/**
 * `strata layers`' text report: a table of the layers (docker's table layout, go-template/
 * tabwriter.ts), the image's totals (efficiency as dive shows it, wasted bytes exact), the
 * biggest files, the wasted ones, and with limits the gate's PASS/FAIL lines, as dive's CI mode
 * prints them, with the files that cost the bytes.
 */
import type { LayerAnalysis, WastedFile } from "../../image/waste/analyze.ts";
import type { GateResult } from "../../image/waste/gate.ts";
import { humanSize } from "../format.ts";
import { tabwrite } from "../go-template/tabwriter.ts";

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const percent = (x: number): string => `${(Math.floor(x * 1000) / 10).toFixed(1)} %`;

/** One wasted file: its bytes, the layer that added it and the one that removed or replaced it. */
export function wastedLine(w: WastedFile, a: LayerAnalysis): string {
  const by = (i: number) => `layer ${i}${a.layers[i]?.createdBy ? ` (${clip(a.layers[i]?.createdBy ?? "", 40)})` : ""}`;
  return `${humanSize(w.size)}\t${w.size}\t${w.path}\tadded by ${by(w.addedBy)}, ${w.how} by ${by(w.removedBy)}`;
}

export function layersText(name: string, a: LayerAnalysis, o: { top: number; trunc: boolean; gate?: GateResult }): string {
  const out: string[] = [];
  const rows = ["LAYER\tSIZE\tADDED\tCHANGED\tREMOVED\tWASTED\tCREATED BY"];
  for (const l of a.layers) rows.push(`${l.index}\t${humanSize(l.size)}\t${l.added}\t${l.changed}\t${l.removed}\t${humanSize(l.wastedBytes)}\t${o.trunc ? clip(l.createdBy, 60) : l.createdBy}`);
  out.push(tabwrite(rows.join("\n")));
  out.push("");
  out.push(`Image:            ${name}`);
  out.push(`Total size:       ${humanSize(a.size)} (${a.size} bytes)`);
  out.push(`Wasted:           ${humanSize(a.wastedBytes)} (${a.wastedBytes} bytes, ${percent(a.wastedUserRatio)} of the user layers)`);
  out.push(`Efficiency:       ${percent(a.efficiency)} (score ${Math.round(a.efficiency * 10000) / 10000})`);
  out.push("");
  out.push("Biggest files:");
  out.push(a.biggest.length === 0 ? "  none" : tabwrite(["  SIZE\tLAYER\tPATH", ...a.biggest.slice(0, o.top).map((f) => `  ${humanSize(f.size)}\t${f.layer}\t${f.path}`)].join("\n")));
  out.push("");
  out.push("Wasted files:");
  out.push(a.wasted.length === 0 ? "  none" : tabwrite(["  SIZE\tBYTES\tPATH\tWHY", ...a.wasted.slice(0, o.top).map((w) => `  ${wastedLine(w, a)}`)].join("\n")));
  if (a.wasted.length > o.top) out.push(`  … and ${a.wasted.length - o.top} more (--top N, or --format json for all)`);
  if (o.gate) out.push("", gateText(a, o.gate));
  return `${out.join("\n")}\n`;
}

/** The gate's lines: one per rule, the offending files when one failed, and the result. */
export function gateText(a: LayerAnalysis, g: GateResult): string {
  const out = ["Gate:"];
  for (const r of g.rules) out.push(`  ${r.pass ? "PASS" : "FAIL"}: ${r.rule}: ${r.message}`);
  if (!g.pass && a.wasted.length > 0) {
    out.push("  Offending files:");
    out.push(tabwrite(a.wasted.map((w) => `    ${wastedLine(w, a)}`).join("\n")));
  }
  const failed = g.rules.filter((r) => !r.pass).length;
  out.push(`  Result: ${g.pass ? "PASS" : "FAIL"} [rules: ${g.rules.length}] [passed: ${g.rules.length - failed}] [failed: ${failed}]`);
  return out.join("\n");
}
