/**
 * `strata check image.ts`: the type check, then evaluation and lowering
 * (base images not looked up: an unknown image is not a problem of the
 * file), then the lint rules on the builder calls (compiler/imagets/lint.ts),
 * each finding at its call.
 */
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { LintOptions } from "../../compiler/lint/lint.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { loadImageTs } from "./compile.ts";

export interface ImageTsCheck {
  readonly source: SourceFile;
  /** The type check's, the evaluation's and the lowering's diagnostics, then the lint findings, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
  /** BUILDKIT_DOCKERFILE_CHECK's `error=true`: warnings fail the check. */
  readonly errorOnWarnings: boolean;
}

export async function checkImageTs(path: string, options: LintOptions = {}): Promise<ImageTsCheck> {
  const loaded = await loadImageTs({ file: path, buildArgs: options.buildArgs ?? {} });
  if (loaded.lower === undefined || loaded.lint === undefined) return { source: loaded.source, diagnostics: loaded.diagnostics, errorOnWarnings: false };
  const lowered = loaded.lower((ref) => ({ ref, digest: "", config: {} }));
  const lint = loaded.lint(options);
  const diagnostics = [...loaded.diagnostics, ...lowered.diagnostics, ...lint.diagnostics].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
  return { source: loaded.source, diagnostics, errorOnWarnings: lint.errorOnWarnings };
}
