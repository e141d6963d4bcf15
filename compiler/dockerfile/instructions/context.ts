/** What every instruction typer gets: the file name and the diagnostics sink. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { DiagnosticCode } from "../../diagnostics/codes.ts";
import type { Span } from "../../source/span.ts";
import type { Heredoc, Node, Word } from "../ast.ts";

export interface TypeContext {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
}

export function report(ctx: TypeContext, code: DiagnosticCode, message: string, span: Span, hint?: string): undefined {
  ctx.diagnostics.push({ code, severity: "error", message, file: ctx.file, span, hint });
  return undefined;
}

/** Span of the arguments, or just after the keyword when there are none. */
export function argsSpan(node: Node): Span {
  return node.rest.text === "" ? node.keywordSpan : node.rest.span;
}

export function requireArgs(ctx: TypeContext, node: Node, min: number): boolean {
  if (node.values.length >= min) return true;
  const kw = node.keyword.toUpperCase();
  const what = min === 1 ? "at least one argument" : `at least ${min} arguments`;
  report(ctx, "DF023", `${kw} requires ${what}`, argsSpan(node));
  return false;
}

export function requireExactlyOne(ctx: TypeContext, node: Node): Word | undefined {
  const v = node.values[0];
  if (v === undefined || v.text === "") return report(ctx, "DF023", `${node.keyword.toUpperCase()} requires exactly one argument`, argsSpan(node));
  return v;
}

/** Heredocs as the build uses them: `<<-` bodies with leading tabs removed. */
export function chompedHeredocs(node: Node): Heredoc[] {
  return node.heredocs.map((h) => (h.chomp ? { ...h, content: h.content.replace(/^\t+/gm, "") } : h));
}
