/**
 * `strata check image.ts`: the type check, then evaluation and lowering
 * (base images not looked up: an unknown image is not a problem of the
 * file). The Dockerfile lint rules read Dockerfile text and do not apply.
 */
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { compileImageTs } from "./compile.ts";

export interface ImageTsCheck {
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
}

export async function checkImageTs(path: string, buildArgs: Readonly<Record<string, string>> = {}): Promise<ImageTsCheck> {
  const r = await compileImageTs({ file: path, buildArgs, resolveImage: (ref) => ({ ref, digest: "", config: {} }) });
  return { source: r.source, diagnostics: r.diagnostics };
}
