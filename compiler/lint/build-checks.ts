/**
 * The lint rules as a build runs them, as BuildKit's Dockerfile frontend does on every build:
 * the findings are warnings printed after the build ("2 warnings found", one line each with the
 * rule, message and line), and under `# check=error=true` (or BUILDKIT_DOCKERFILE_CHECK) they are
 * errors that stop the build before anything runs ("lint violation found for rules: …").
 * `strata check` (lint.ts) reports the same findings in full. Pure: no I/O.
 */
import type { DockerfileAst, Instruction } from "../dockerfile/ast.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../source/source-file.ts";
import { lintDockerfile } from "./lint.ts";
import { ruleByName } from "./rules.ts";
import type { LintOptions } from "./types.ts";

/**
 * The findings a build reports: the rules' warnings (Strata's informational notes are left to
 * `strata check`), as errors when the check configuration says `error=true`.
 */
export function buildChecks(source: SourceFile, parsed: { readonly ast: DockerfileAst; readonly instructions: readonly Instruction[] }, options: LintOptions = {}): Diagnostic[] {
  const r = lintDockerfile(source, parsed, options);
  const warnings = r.diagnostics.filter((d) => d.severity === "warning");
  return r.errorOnWarnings ? warnings.map((d) => ({ ...d, severity: "error" })) : warnings;
}

/** Whether a diagnostic is a lint rule's finding (its code is the rule's name). */
export function isLintFinding(d: Diagnostic): boolean {
  return ruleByName(d.code) !== undefined;
}

/** BuildKit's error for findings under error=true: the rules, each once, sorted. */
export function lintViolation(findings: readonly Diagnostic[]): string {
  const rules = [...new Set(findings.map((d) => d.code))].sort();
  return `lint violation found for rules: ${rules.join(", ")}`;
}

/**
 * The warnings block a build prints after it ran, in BuildKit's words (buildx's printWarnings
 * with linter.LintFormatShort), so scripts that grep `docker build` output work unchanged:
 *
 *   2 warnings found (strata check Dockerfile shows them in full):
 *    - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)
 *    - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)
 */
export function lintSummary(source: SourceFile, findings: readonly Diagnostic[]): string {
  if (findings.length === 0) return "";
  const head = `${findings.length} ${findings.length === 1 ? "warning" : "warnings"} found (strata check ${source.name} shows them in full):`;
  const lines = findings.map((d) => ` - ${d.code}: ${d.message} (line ${source.lineCol(d.span.start).line})`);
  return `${[head, ...lines].join("\n")}\n`;
}
