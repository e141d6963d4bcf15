/**
 * Evaluates an image.ts in this process: loader.ts transpiles it and the modules it imports
 * (TypeScript's own transpiler, from the ts-morph the type check loads) and runs them as
 * CommonJS, `"strata-build"` being the stdlib imported below, the very module this strata
 * holds (no file of it is looked up on disk, so this runs the same from the sources, a
 * bundle, or an installed package). The exports that are images come back as recorded
 * nodes. Each builder call recorded raw stack frames; `locate` maps them through the
 * per-file source maps to the image.ts line (or the imported module's line) that made it.
 */
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Located } from "../../compiler/imagets/lower.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { parseStack } from "../../stdlib/image.ts";
import * as stdlib from "../../stdlib/index.ts";
import { BUILD_ARGS, type CallSite, GLOBAL_ARGS, type GlobalArgRecord, IMAGE_NODE, type ImageNode } from "../../stdlib/record.ts";
import { loadGraph } from "./loader.ts";

export interface Evaluated {
  readonly exports: readonly (readonly [string, ImageNode])[];
  readonly globals: readonly GlobalArgRecord[];
  readonly locate: (site: CallSite) => Located | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** The user's files the diagnostics and `locate` point into, by name. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

export interface EvaluateOptions {
  /** The image.ts path (absolute). */
  readonly file: string;
  /** The entry's SourceFile (its name is what diagnostics and SourceRefs show). */
  readonly source: SourceFile;
  readonly buildArgs: Readonly<Record<string, string>>;
}

/** Loads, runs and reads the exports of an image.ts. */
export async function evaluateImageTs(o: EvaluateOptions): Promise<Evaluated> {
  const { ts } = await import("ts-morph");
  const graph = loadGraph({ entry: o.file, source: o.source, ts, stdlib });
  const none = { exports: [], globals: [], sources: graph.sources };
  if (graph.diagnostics.length > 0) return { ...none, locate: () => undefined, diagnostics: graph.diagnostics };
  const locate = (site: CallSite): Located | undefined => {
    for (const fr of site.frames) {
      const at = graph.locateFrame(fr);
      if (at !== undefined) return at;
    }
    return undefined;
  };

  const g = globalThis as unknown as Record<symbol, unknown>;
  g[BUILD_ARGS] = { ...o.buildArgs };
  g[GLOBAL_ARGS] = [];
  let mod: Record<string, unknown>;
  let globals: GlobalArgRecord[] = [];
  try {
    mod = graph.run();
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const at = locate({ frames: parseStack(err.stack ?? "") });
    const source = at?.source ?? o.source;
    const offset = at?.offset ?? 0;
    return { ...none, locate, diagnostics: [{ code: "TS003", severity: "error", message: `image.ts threw: ${err.message}`, file: source.name, span: { start: offset, end: offset } }] };
  } finally {
    globals = [...((g[GLOBAL_ARGS] as GlobalArgRecord[] | undefined) ?? [])];
    delete g[GLOBAL_ARGS];
    delete g[BUILD_ARGS];
  }
  const exports: [string, ImageNode][] = [];
  for (const [name, value] of Object.entries(mod)) {
    const node = typeof value === "object" && value !== null ? (value as { [IMAGE_NODE]?: ImageNode })[IMAGE_NODE] : undefined;
    if (node !== undefined) exports.push([name, node]);
  }
  return { exports, globals, locate, diagnostics: [], sources: graph.sources };
}
