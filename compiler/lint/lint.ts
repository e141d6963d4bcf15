/**
 * `strata check`'s engine: runs every lint rule over a parsed Dockerfile and
 * applies the `# check=skip=…;error=…` directive (or the
 * BUILDKIT_DOCKERFILE_CHECK build argument, which overrides it, as in
 * BuildKit). Pure: no I/O; the caller reads the files.
 */
import type { DockerfileAst, Instruction } from "../dockerfile/ast.ts";
import { parseCheckDirective } from "../dockerfile/directives.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../source/source-file.ts";
import { CHECKS } from "./checks/index.ts";
import { type LintRule, RULES, type RuleName } from "./rules.ts";
import type { LintOptions } from "./types.ts";

export type { LintOptions } from "./types.ts";

export interface LintResult {
  /** Findings of the enabled rules, sorted by position. */
  readonly diagnostics: Diagnostic[];
  /** `error=true`: warnings should fail the check as errors do. */
  readonly errorOnWarnings: boolean;
}

export interface CheckConfig {
  /** Rule names to skip; "all" skips every rule. Compared case-insensitively. */
  readonly skip: readonly string[];
  readonly error: boolean;
}

/** The check configuration in force: BUILDKIT_DOCKERFILE_CHECK if given and valid, else the directive. */
export function checkConfig(ast: DockerfileAst, options: LintOptions = {}): CheckConfig {
  const valid = (text: string | undefined): CheckConfig | undefined => {
    const c = text === undefined ? undefined : parseCheckDirective(text);
    return typeof c === "string" ? undefined : c;
  };
  return valid(options.buildArgs?.BUILDKIT_DOCKERFILE_CHECK) ?? valid(ast.directives.find((d) => d.name === "check")?.value) ?? { skip: [], error: false };
}

export function lintDockerfile(
  source: SourceFile,
  parsed: { readonly ast: DockerfileAst; readonly instructions: readonly Instruction[] },
  options: LintOptions = {},
): LintResult {
  return lintInstructions(source, parsed.ast, parsed.instructions, options, () => true);
}

/**
 * Runs the rules `applies` admits over typed instructions, whichever front
 * end made them (a Dockerfile, or image.ts: compiler/imagets/lint.ts).
 */
export function lintInstructions(
  source: SourceFile,
  ast: DockerfileAst,
  instructions: readonly Instruction[],
  options: LintOptions,
  applies: (rule: LintRule<never>) => boolean,
): LintResult {
  const config = checkConfig(ast, options);
  const skip = new Set(config.skip.map((s) => s.toLowerCase()));
  const diagnostics: Diagnostic[] = [];
  if (!skip.has("all")) {
    for (const [name, check] of Object.entries(CHECKS) as [RuleName, (typeof CHECKS)[RuleName]][]) {
      if (skip.has(name.toLowerCase()) || !applies(RULES[name] as LintRule<never>)) continue;
      diagnostics.push(...check(ast, instructions, source, options));
    }
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
  return { diagnostics, errorOnWarnings: config.error };
}
