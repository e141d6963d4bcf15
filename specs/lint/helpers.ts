/** Shared helpers of the lint specs: lint a Dockerfile string, and where a diagnostic points. */
import { parseDockerfile } from "../../compiler/dockerfile/parse.ts";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { type LintOptions, type LintResult, lintDockerfile } from "../../compiler/lint/lint.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";

export interface Linted extends LintResult {
  readonly source: SourceFile;
  readonly parseDiagnostics: readonly Diagnostic[];
}

export function lint(text: string, options?: LintOptions): Linted {
  const source = new SourceFile("Dockerfile", text);
  const parsed = parseDockerfile(source);
  return { ...lintDockerfile(source, parsed, options), source, parseDiagnostics: parsed.diagnostics };
}

/** The diagnostics of one rule. */
export function findings(text: string, rule: string, options?: LintOptions): Diagnostic[] {
  return lint(text, options).diagnostics.filter((d) => d.code === rule);
}

/** `line:column` of a diagnostic's start, and the source text its span covers. */
export function at(text: string, d: Diagnostic): { where: string; text: string } {
  const { line, column } = new SourceFile("Dockerfile", text).lineCol(d.span.start);
  return { where: `${line}:${column}`, text: text.slice(d.span.start, d.span.end) };
}
