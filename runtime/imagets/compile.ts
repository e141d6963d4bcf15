/**
 * image.ts → build graph, the orchestration: type-check (nothing runs when
 * that fails), evaluate, then lower (pure, compiler/imagets) with base images
 * looked up in the local store, as compileDockerfile does for a Dockerfile.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Diagnostic, hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { lowerImageTs } from "../../compiler/imagets/lower.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import type { BaseImage } from "../../compiler/lower/dockerfile.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import type { Store } from "../store/store.ts";
import { evaluateImageTs } from "./evaluate.ts";
import { typeCheckImageTs } from "./typecheck.ts";

/** Whether a build file is an image.ts (rather than a Dockerfile). */
export { isImageTs } from "./detect.ts";

export interface CompileImageTsOptions {
  readonly file: string;
  /** The name diagnostics and SourceRefs use (as the user wrote it). */
  readonly displayName?: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string | undefined;
  /** Base images: the local store, or (specs) a lookup. */
  readonly store?: Store;
  readonly resolveImage?: (ref: string) => BaseImage | undefined;
  readonly platform?: string;
  /** Skip the type check (specs that only compare graphs). */
  readonly noTypeCheck?: boolean;
}

export interface CompileImageTsResult {
  readonly source: SourceFile;
  readonly graph: BuildGraph | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Diagnostics in another module than the entry: keep the place in the message (the CLI frames the entry only). */
function relocate(d: Diagnostic, entry: SourceFile, sources: ReadonlyMap<string, SourceFile>): Diagnostic {
  if (d.file === entry.name) return d;
  const src = sources.get(d.file);
  const where = src ? src.where(d.span) : d.file;
  return { ...d, file: entry.name, message: `${where}: ${d.message}`, span: { start: 0, end: 0 } };
}

export async function compileImageTs(o: CompileImageTsOptions): Promise<CompileImageTsResult> {
  const path = resolve(o.file);
  const source = new SourceFile(o.displayName ?? o.file, await readFile(path, "utf8"));
  if (!o.noTypeCheck) {
    const checked = await typeCheckImageTs(path, source);
    if (hasErrors(checked.diagnostics)) return { source, graph: undefined, diagnostics: checked.diagnostics.map((d) => relocate(d, source, checked.sources)) };
  }
  const evaluated = await evaluateImageTs({ file: path, source, buildArgs: o.buildArgs });
  if (hasErrors(evaluated.diagnostics)) return { source, graph: undefined, diagnostics: evaluated.diagnostics };
  const images = new Map<string, BaseImage>();
  const resolveImage = (ref: string): BaseImage | undefined => images.get(ref) ?? o.resolveImage?.(ref);
  const lower = () =>
    lowerImageTs({
      source,
      exports: evaluated.exports,
      globals: evaluated.globals,
      locate: evaluated.locate,
      buildArgs: o.buildArgs,
      target: o.target,
      resolveImage,
      ...(o.platform !== undefined && { platform: o.platform }),
    });
  let lowered = lower();
  if (lowered.missingImages.length > 0 && o.store !== undefined) {
    const diagnostics: Diagnostic[] = [];
    for (const ref of lowered.missingImages) {
      const img = await o.store.findImage(ref);
      if (img) images.set(ref, { ref, digest: img.configDigest, config: img.config.config });
      else {
        diagnostics.push({
          code: "IMG001",
          severity: "error",
          message: `image "${ref}" is not in the local store`,
          file: source.name,
          span: { start: 0, end: 0 },
          hint: `import or pull it first, e.g. strata import rootfs.tar ${ref}`,
        });
      }
    }
    if (diagnostics.length > 0) return { source, graph: undefined, diagnostics };
    lowered = lower();
  }
  const sources = new Map<string, SourceFile>([[source.name, source]]);
  return { source, graph: lowered.graph, diagnostics: lowered.diagnostics.map((d) => relocate(d, source, sources)) };
}
