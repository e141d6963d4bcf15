import { clip, codeFrame, FRAME_LINE_MAX, MESSAGE_MAX } from "../../compiler/diagnostics/format.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import type { StepError } from "../errors/step-error.ts";

/** A failed step: `ERROR: FILE:LINE:COL: error[CODE]: message`, a code frame, and the command's last output lines. */
export function printStepError(e: StepError, source: SourceFile): void {
  // The instruction's whole range: every line of a continued RUN is marked, not only its first.
  const endLine = source.lineCol(Math.max(e.source.start, e.source.end - 1)).line;
  const frame = e.source.file === source.name ? `\n${codeFrame(source, e.source.line, e.source.column, undefined, endLine)}` : "";
  const tail = e.output.trimEnd().split("\n").slice(-10).map((l) => clip(l, FRAME_LINE_MAX));
  const output = e.output.trim() === "" ? "" : `\n\nlast output:\n${tail.map((l) => `  ${l}`).join("\n")}`;
  process.stderr.write(`\nERROR: ${e.source.file}:${e.source.line}:${e.source.column}: error[${e.code}]: ${clip(e.message, MESSAGE_MAX)}${frame}${output}\n`);
}
