/**
 * image.ts → build graph: type-check (nothing runs when that fails),
 * evaluate, then lower (pure, compiler/imagets). Base images are not looked
 * up here: `loadImageTs` gives back a `lower` function that takes a lookup,
 * and the engine's base-image resolver (engine/compile/bases.ts) runs it as
 * it runs a Dockerfile's lowering, so a missing `from("x:1")` is pulled and
 * reported at the `from(...)` call exactly as a missing `FROM x:1` is.
 */
import type { NamedContexts } from "../../compiler/lower/ops.ts";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Diagnostic, hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { lintImageTs } from "../../compiler/imagets/lint.ts";
import { imageTsInstructions, lowerImageTs } from "../../compiler/imagets/lower.ts";
import type { LintOptions, LintResult } from "../../compiler/lint/lint.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import type { BaseImage, LowerResult } from "../../compiler/lower/dockerfile.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { evaluateImageTs } from "./evaluate.ts";
import { typeCheckImageTs } from "./typecheck.ts";

/** Whether a build file is an image.ts (rather than a Dockerfile). */
export { isImageTs } from "./detect.ts";

export interface LoadImageTsOptions {
  readonly file: string;
  /** The name diagnostics and SourceRefs use (as the user wrote it). */
  readonly displayName?: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string | undefined;
  readonly platform?: string | undefined;
  /** `--build-context NAME=…` (compiler/lower/ops.ts). */
  readonly namedContexts?: NamedContexts;
  /** Skip the type check (specs that only compare graphs). */
  readonly noTypeCheck?: boolean;
}

export interface LoadedImageTs {
  readonly source: SourceFile;
  /** The type check's or the evaluation's diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
  /** Lowers the evaluated exports with base images from `resolveImage`; undefined when checking or evaluating failed. */
  readonly lower: ((resolveImage: (ref: string) => BaseImage | undefined) => LowerResult) | undefined;
  /** Runs the lint rules on the evaluated calls (`strata check`); undefined when checking or evaluating failed. */
  readonly lint: ((options: LintOptions) => LintResult) | undefined;
}

/** Diagnostics in another module than the entry: keep the place in the message (the CLI frames the entry only). */
function relocate(d: Diagnostic, entry: SourceFile, sources: ReadonlyMap<string, SourceFile>): Diagnostic {
  if (d.file === entry.name) return d;
  const src = sources.get(d.file);
  const where = src ? src.where(d.span) : d.file;
  return { ...d, file: entry.name, message: `${where}: ${d.message}`, span: { start: 0, end: 0 } };
}

/** Type-checks and evaluates an image.ts; lowering is left to the caller (see the header). */
export async function loadImageTs(o: LoadImageTsOptions): Promise<LoadedImageTs> {
  const path = resolve(o.file);
  const source = new SourceFile(o.displayName ?? o.file, await readFile(path, "utf8"));
  if (!o.noTypeCheck) {
    const checked = await typeCheckImageTs(path, source);
    if (hasErrors(checked.diagnostics)) return { source, diagnostics: checked.diagnostics.map((d) => relocate(d, source, checked.sources)), lower: undefined, lint: undefined };
  }
  const evaluated = await evaluateImageTs({ file: path, source, buildArgs: o.buildArgs });
  if (hasErrors(evaluated.diagnostics)) return { source, diagnostics: evaluated.diagnostics.map((d) => relocate(d, source, evaluated.sources)), lower: undefined, lint: undefined };
  const sources = evaluated.sources;
  const calls = { source, exports: evaluated.exports, globals: evaluated.globals, locate: evaluated.locate, target: o.target };
  const lower = (resolveImage: (ref: string) => BaseImage | undefined): LowerResult => {
    const lowered = lowerImageTs({ ...calls, buildArgs: o.buildArgs, resolveImage, ...(o.platform !== undefined && { platform: o.platform }), ...(o.namedContexts !== undefined && { namedContexts: o.namedContexts }) });
    return { ...lowered, diagnostics: lowered.diagnostics.map((d) => relocate(d, source, sources)) };
  };
  const lint = (options: LintOptions): LintResult => {
    // The call problems (TS001) are the lowering's to report.
    const linted = lintImageTs(source, imageTsInstructions(calls), options);
    return { ...linted, diagnostics: linted.diagnostics.map((d) => relocate(d, source, sources)) };
  };
  return { source, diagnostics: evaluated.diagnostics, lower, lint };
}

export interface CompileImageTsResult {
  readonly source: SourceFile;
  readonly graph: BuildGraph | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Loads and lowers an image.ts with a fixed lookup of base images (check, convert's specs): nothing is pulled. */
export async function compileImageTs(o: LoadImageTsOptions & { readonly resolveImage: (ref: string) => BaseImage | undefined }): Promise<CompileImageTsResult> {
  const loaded = await loadImageTs(o);
  if (loaded.lower === undefined) return { source: loaded.source, graph: undefined, diagnostics: loaded.diagnostics };
  const lowered = loaded.lower(o.resolveImage);
  return { source: loaded.source, graph: lowered.graph, diagnostics: [...loaded.diagnostics, ...lowered.diagnostics] };
}
