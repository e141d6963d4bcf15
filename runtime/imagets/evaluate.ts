/**
 * Evaluates an image.ts: esbuild bundles it with `strata` aliased to the
 * repository's stdlib (unminified, with a source map), the bundle is run
 * in this process (vm.compileFunction, CommonJS), and its exports that are images come back as
 * recorded nodes. Each builder call recorded raw stack frames of the bundle;
 * `locate` maps them through the source map to the image.ts line (or the
 * imported module's line) that made the call.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire, SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFunction } from "node:vm";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Located } from "../../compiler/imagets/lower.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { parseStack } from "../../stdlib/image.ts";
import { BUILD_ARGS, type CallSite, type Frame, GLOBAL_ARGS, type GlobalArgRecord, IMAGE_NODE, type ImageNode } from "../../stdlib/record.ts";

/** The repository's stdlib folder (found upward from this module: it may run from a bundle in node_modules/.cache). */
function stdlibDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "stdlib/index.ts"))) return join(dir, "stdlib/");
    const up = dirname(dir);
    if (up === dir) throw new Error("internal: cannot find strata's stdlib/ above this module");
    dir = up;
  }
}

/** The repository's stdlib folder and its entry (what `import "strata"` means). */
export const STDLIB_DIR = stdlibDir();
export const STDLIB_ENTRY = join(STDLIB_DIR, "index.ts");

export interface Evaluated {
  readonly exports: readonly (readonly [string, ImageNode])[];
  readonly globals: readonly GlobalArgRecord[];
  readonly locate: (site: CallSite) => Located | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export interface EvaluateOptions {
  /** The image.ts path. */
  readonly file: string;
  /** The entry's SourceFile (its name is what diagnostics and SourceRefs show). */
  readonly source: SourceFile;
  readonly buildArgs: Readonly<Record<string, string>>;
}

/** Bundles, imports and reads the exports of an image.ts. */
export async function evaluateImageTs(o: EvaluateOptions): Promise<Evaluated> {
  const { build } = await import("esbuild");
  const entry = resolve(o.file);
  const outfile = join(tmpdir(), `strata-imagets-${process.pid}-${randomBytes(6).toString("hex")}.cjs`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    // CommonJS, run with vm.compileFunction: frames name the bundle exactly, and no module loader
    // (a test runner's included) rewrites the code or its stack traces. No top-level await.
    format: "cjs",
    platform: "node",
    target: "node22",
    outfile,
    write: false,
    sourcemap: "external",
    sourcesContent: false,
    alias: { strata: STDLIB_ENTRY },
    logLevel: "silent",
  }).catch((e: { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }) => e);
  if (!("outputFiles" in result) || result.outputFiles === undefined) {
    const errors = "errors" in result ? (result.errors ?? []) : [];
    const first = errors[0];
    const at = first?.location ? offsetOf(o.source, first.location.line, first.location.column + 1) : 0;
    return { exports: [], globals: [], locate: () => undefined, diagnostics: [{ code: "TS002", severity: "error", message: `cannot bundle image.ts: ${first?.text ?? "esbuild failed"}`, file: o.source.name, span: { start: at, end: at } }] };
  }
  const js = result.outputFiles.find((f) => f.path.endsWith(".cjs"));
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"));
  if (js === undefined || map === undefined) throw new Error("internal: esbuild gave no bundle or map");
  const sourceMap = new SourceMap(JSON.parse(map.text));
  const files = new Map<string, SourceFile>([[entry, o.source]]);
  const sourceOf = (path: string): SourceFile | undefined => {
    let f = files.get(path);
    if (f === undefined) {
      try {
        f = new SourceFile(relative(process.cwd(), path), readFileSync(path, "utf8"));
      } catch {
        return undefined;
      }
      files.set(path, f);
    }
    return f;
  };
  const mapFrame = (fr: Frame): { path: string; line: number; column: number } | undefined => {
    if (fr.file !== outfile) return undefined;
    const e = sourceMap.findEntry(fr.line - 1, fr.column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (e.originalSource === undefined || e.originalLine === undefined || e.originalColumn === undefined) return undefined;
    const src = e.originalSource.startsWith("file:") ? fileURLToPath(e.originalSource) : resolve(dirname(outfile), e.originalSource);
    return { path: src, line: e.originalLine + 1, column: e.originalColumn + 1 };
  };
  const locate = (site: CallSite): Located | undefined => {
    for (const fr of site.frames) {
      const m = mapFrame(fr);
      if (m === undefined || m.path.startsWith(STDLIB_DIR)) continue;
      const source = sourceOf(m.path);
      if (source === undefined) continue;
      return { source, offset: offsetOf(source, m.line, m.column) };
    }
    return undefined;
  };

  const g = globalThis as unknown as Record<symbol, unknown>;
  g[BUILD_ARGS] = { ...o.buildArgs };
  g[GLOBAL_ARGS] = [];
  let mod: Record<string, unknown>;
  try {
    const module = { exports: {} as Record<string, unknown> };
    const run = compileFunction(js.text, ["module", "exports", "require"], { filename: outfile });
    run(module, module.exports, createRequire(entry));
    mod = module.exports;
  } catch (e) {
    const err = e as Error;
    const frames = parseStack(err.stack ?? "");
    const at = locate({ frames });
    const span = at && at.source === o.source ? { start: at.offset, end: at.offset } : { start: 0, end: 0 };
    return { exports: [], globals: [], locate, diagnostics: [{ code: "TS003", severity: "error", message: `image.ts threw: ${err.message}`, file: o.source.name, span }] };
  }
  const globals = [...((g[GLOBAL_ARGS] as GlobalArgRecord[] | undefined) ?? [])];
  delete g[GLOBAL_ARGS];
  delete g[BUILD_ARGS];
  const exports: [string, ImageNode][] = [];
  for (const [name, value] of Object.entries(mod)) {
    const node = typeof value === "object" && value !== null ? (value as { [IMAGE_NODE]?: ImageNode })[IMAGE_NODE] : undefined;
    if (node !== undefined) exports.push([name, node]);
  }
  return { exports, globals, locate, diagnostics: [] };
}

function offsetOf(source: SourceFile, line: number, column: number): number {
  return Math.min(source.text.length, (source.lineStarts[line - 1] ?? 0) + column - 1);
}
