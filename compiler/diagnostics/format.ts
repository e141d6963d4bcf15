import type { SourceFile } from "../source/source-file.ts";
import type { Diagnostic } from "./diagnostic.ts";

/**
 * Renders a diagnostic as a person reads it:
 *
 *   Dockerfile:3:1: error[DF001]: unknown instruction "COPPY"
 *      2 | FROM busybox
 *    > 3 | COPPY a b
 *        | ^^^^^
 *   hint: did you mean COPY?
 */
export function formatDiagnostic(d: Diagnostic, source: SourceFile | undefined): string {
  if (source === undefined) return `${d.file}: ${d.severity}[${d.code}]: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`;
  const start = source.lineCol(d.span.start);
  const end = source.lineCol(Math.max(d.span.start, d.span.end - 1));
  const head = `${source.name}:${start.line}:${start.column}: ${d.severity}[${d.code}]: ${d.message}`;
  return [head, codeFrame(source, start.line, start.column, end.line === start.line ? end.column : undefined), d.hint ? `hint: ${d.hint}` : ""]
    .filter((s) => s !== "")
    .join("\n");
}

/** Up to one line of context before, the line itself, and a caret line under the span. */
export function codeFrame(source: SourceFile, line: number, column: number, endColumn: number | undefined): string {
  const first = Math.max(1, line - 1);
  const width = String(line).length;
  const out: string[] = [];
  for (let l = first; l <= line; l++) {
    const text = source.lineText(l).replace(/\t/g, " ");
    out.push(`${l === line ? ">" : " "} ${String(l).padStart(width)} | ${text}`);
  }
  const caretLen = endColumn === undefined ? 1 : Math.max(1, endColumn - column + 1);
  out.push(`  ${" ".repeat(width)} | ${" ".repeat(column - 1)}${"^".repeat(caretLen)}`);
  return out.join("\n");
}
