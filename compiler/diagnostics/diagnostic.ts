import type { Span } from "../source/span.ts";

/**
 * Compiler problems are data, never exceptions: every phase returns its
 * diagnostics beside its output. Only internal bugs throw.
 *
 * `code` is stable across releases (documented in compiler/diagnostics/codes.ts);
 * `file` names the source the span points into.
 */
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly span: Span;
  /** What to do about it, e.g. "did you mean COPY?". */
  readonly hint?: string | undefined;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
