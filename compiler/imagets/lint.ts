/**
 * `strata check image.ts`'s lint: the Dockerfile rules (compiler/lint/) run
 * over the instructions an image.ts's builder calls stand for, so
 * `.env({ API_TOKEN: "x" }).workdir("rel").cmd("x")` gets the warnings its
 * Dockerfile gets. Every word of an image.ts instruction spans its call, so a
 * finding points at the call (a RUN script's finding at its words, when the
 * script is written on the call's line). Rules about how a Dockerfile is
 * written (`dockerfileOnly`: casing, continuation lines, comments, the legacy
 * ENV form) do not apply; a rule's `imageTsHint` replaces a hint that names
 * Dockerfile syntax. No `# check=` directive: BUILDKIT_DOCKERFILE_CHECK
 * given as a build argument configures the rules, as for a Dockerfile.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { DockerfileAst } from "../dockerfile/ast.ts";
import { type LintOptions, type LintResult, lintInstructions } from "../lint/lint.ts";
import { ruleByName } from "../lint/rules.ts";
import type { ImageTsInstructions } from "./lower.ts";
import type { SourceFile } from "../source/source-file.ts";

export function lintImageTs(source: SourceFile, calls: ImageTsInstructions, options: LintOptions = {}): LintResult {
  const ast: DockerfileAst = { file: source.name, escape: "\\", directives: [], nodes: calls.instructions.map((i) => i.node) };
  const r = lintInstructions(source, ast, calls.instructions, options, (rule) => rule.dockerfileOnly !== true);
  return { ...r, diagnostics: r.diagnostics.map((d) => ({ ...d, file: fileOf(d, calls) ?? d.file, hint: ruleByName(d.code)?.imageTsHint ?? d.hint })) };
}

/**
 * The file a finding is in: that of the call it spans (the checks name the
 * entry file; a call made in an imported module spans that module). The call
 * with that very span wins, else one whose span holds it.
 */
function fileOf(d: Diagnostic, calls: ImageTsInstructions): string | undefined {
  const exact = calls.instructions.find((i) => i.span.start === d.span.start && i.span.end === d.span.end);
  const within = exact ?? calls.instructions.find((i) => i.span.start <= d.span.start && d.span.end <= i.span.end);
  return within === undefined ? undefined : calls.sourceOf(within)?.name;
}
