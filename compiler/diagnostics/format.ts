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
  const message = clip(d.message, MESSAGE_MAX);
  const hint = d.hint ? `hint: ${clip(d.hint, MESSAGE_MAX)}` : "";
  if (source === undefined) return `${d.file}: ${d.severity}[${d.code}]: ${message}${hint ? `\n${hint}` : ""}`;
  const start = source.lineCol(d.span.start);
  const end = source.lineCol(Math.max(d.span.start, d.span.end - 1));
  const head = `${source.name}:${start.line}:${start.column}: ${d.severity}[${d.code}]: ${message}`;
  const frame = end.line === start.line ? codeFrame(source, start.line, start.column, end.column) : codeFrame(source, start.line, start.column, undefined, end.line);
  return [head, frame, hint].filter((s) => s !== "").join("\n");
}

/** The most of one line a frame shows: a 1 MiB line must not become a 1 MiB message. */
export const FRAME_LINE_MAX = 200;

/** The most of a message (or hint) printed: messages quote the input (`unsupported mount type "…"`). */
export const MESSAGE_MAX = 400;

/** `text` cut to `max` characters with `… (N characters)`, or as it is when it fits. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/**
 * Up to one line of context before, the span's lines marked `>`, and a caret line under a
 * one-line span. A span over several lines (an instruction with continuations) marks each of
 * them, as BuildKit's `>>>` does. Lines longer than FRAME_LINE_MAX are cut with `…`.
 */
export function codeFrame(source: SourceFile, line: number, column: number, endColumn: number | undefined, endLine = line): string {
  const last = Math.max(line, endLine);
  const first = Math.max(1, line - 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let l = first; l <= last; l++) {
    const text = clip(source.lineText(l).replace(/\t/g, " ").replace(/\0/g, "␀"), FRAME_LINE_MAX);
    out.push(`${l >= line ? ">" : " "} ${String(l).padStart(width)} | ${text}`);
  }
  if (last !== line) return out.join("\n");
  const col = Math.min(column, FRAME_LINE_MAX + 1);
  const caretLen = endColumn === undefined ? 1 : Math.max(1, Math.min(endColumn, FRAME_LINE_MAX + 1) - col + 1);
  out.push(`  ${" ".repeat(width)} | ${" ".repeat(col - 1)}${"^".repeat(caretLen)}`);
  return out.join("\n");
}
