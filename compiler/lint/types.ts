/** What every check gets and returns. */
import type { DockerfileAst, Instruction } from "../dockerfile/ast.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../source/source-file.ts";

export interface LintOptions {
  /** The lines of the .dockerignore beside the Dockerfile (for CopyIgnoredFile). */
  readonly dockerignore?: readonly string[] | undefined;
  /**
   * Build arguments as given with --build-arg. `BUILDKIT_DOCKERFILE_CHECK`
   * (e.g. `skip=all` or `error=true`) overrides the `# check=` directive, as
   * in BuildKit.
   */
  readonly buildArgs?: Readonly<Record<string, string>> | undefined;
}

/**
 * A check: a pure function of the parsed file. It returns one diagnostic per
 * finding, coded with its rule's name, with a span on the offending word or
 * instruction. Checks never throw on input and do no I/O.
 */
export type Check = (ast: DockerfileAst, instructions: readonly Instruction[], source: SourceFile, options: LintOptions) => Diagnostic[];
