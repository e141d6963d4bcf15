import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import { hasErrors } from "../../../compiler/diagnostics/diagnostic.ts";
import type { BaseImage, LowerResult } from "../../../compiler/lower/dockerfile.ts";
import type { SourceFile } from "../../../compiler/source/source-file.ts";
import type { NamedContexts } from "../../../compiler/lower/ops.ts";

export interface ParsedDockerfile {
  readonly diagnostics: readonly Diagnostic[];
  /** Lowers the parsed file with base images from `resolveImage`; undefined when parsing failed. */
  readonly lower: ((resolveImage: (ref: string) => BaseImage | undefined) => LowerResult) | undefined;
}

/**
 * Parses a Dockerfile, runs the build checks (compiler/lint/build-checks.ts) and hands back
 * its lowering, for the base-image resolver to run (bases.ts). The parser and lowering are loaded only here,
 * when there is something to compile (a warm build's graph is cached).
 */
export async function parseForLowering(
  source: SourceFile,
  o: { buildArgs: Readonly<Record<string, string>>; target?: string | undefined; platform?: string | undefined; dockerignore?: readonly string[] | undefined; namedContexts?: NamedContexts },
): Promise<ParsedDockerfile> {
  const [{ parseDockerfile }, { lowerDockerfile }, { buildChecks }] = await Promise.all([
    import("../../../compiler/dockerfile/parse.ts"),
    import("../../../compiler/lower/dockerfile.ts"),
    import("../../../compiler/lint/build-checks.ts"),
  ]);
  const parsed = parseDockerfile(source);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics, lower: undefined };
  // The build checks, as BuildKit runs them on every build (the parser's DF010 is NoEmptyContinuation's
  // finding too); under check=error=true they are errors and nothing is lowered or run.
  const checks = buildChecks(source, parsed, { dockerignore: o.dockerignore, buildArgs: o.buildArgs });
  const diagnostics = [...parsed.diagnostics.filter((d) => d.code !== "DF010"), ...checks];
  if (hasErrors(checks)) return { diagnostics, lower: undefined };
  const lower = (resolveImage: (ref: string) => BaseImage | undefined): LowerResult =>
    lowerDockerfile({
      source,
      ast: parsed.ast,
      instructions: parsed.instructions,
      buildArgs: o.buildArgs,
      target: o.target,
      resolveImage,
      ...(o.namedContexts !== undefined && { namedContexts: o.namedContexts }),
      ...(o.platform !== undefined && { platform: o.platform }),
    });
  return { diagnostics, lower };
}
