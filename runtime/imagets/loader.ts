/**
 * The CommonJS module loader that runs an image.ts in this process. Our own, because what
 * runs an image.ts must ship inside strata: esbuild is a build tool (not installed with the
 * package, and no part of a single-executable build), and Node's own loader would need
 * process-wide hooks to map `"strata-build"` to the stdlib this process already holds.
 *
 * - Every user file (the entry and what it imports relatively: resolve.ts) is transpiled by
 *   TypeScript (`ts.transpileModule`, CommonJS, one source map per file) and compiled with
 *   `vm.compileFunction` under its own path, so a stack frame names the file and its source
 *   map gives the line and column written (`locateFrame`). No test runner's or Node's loader
 *   rewrites that code or its stack traces. No top-level await (CommonJS).
 * - `"strata-build"` is the stdlib module object the evaluator hands in: the same objects the
 *   CLI uses, so `IMAGE_NODE` and the other symbols match.
 * - Builtins and packages: Node's require, from the importing file (the user's node_modules).
 *
 * All static imports (and `import("./literal")`) are found, resolved and compiled before
 * anything runs: a file that cannot be transpiled, an import that cannot be resolved, or an
 * import cycle is TS002 at its place, and nothing has run. An import only known at run time
 * is resolved then, and throws if it cannot be.
 */
import { readFileSync } from "node:fs";
import { createRequire, SourceMap } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { compileFunction } from "node:vm";
import type { ts as TS } from "ts-morph";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Located } from "../../compiler/imagets/lower.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import type { Frame } from "../../stdlib/record.ts";
import { moduleName } from "./file-names.ts";
import { type ImportTarget, resolveImport } from "./resolve.ts";

type Typescript = typeof TS;
type ModuleFunction = (exports: unknown, require: (spec: string) => unknown, module: { exports: unknown }, filename: string, dirname: string, importMeta: ImportMetaLike) => void;

/** What `import.meta` is in a loaded module (Node's fields for a file module). */
interface ImportMetaLike {
  readonly url: string;
  readonly filename: string;
  readonly dirname: string;
}

/** The parameter `import.meta` becomes (CommonJS has none): a name no module can write. */
const IMPORT_META = "__strata_import_meta";

interface UserModule {
  readonly path: string;
  readonly source: SourceFile;
  /** undefined for JSON (its value is `data`). */
  readonly run: ModuleFunction | undefined;
  readonly data?: unknown;
  readonly map: SourceMap | undefined;
  /** What each import of the file leads to. */
  readonly imports: ReadonlyMap<string, ImportTarget>;
  /** Where the source writes each import (its specifier's offset). */
  readonly importAt: ReadonlyMap<string, number>;
}

/** The import being followed: the importing module and the specifier it wrote. */
interface Importer {
  readonly module: UserModule;
  readonly spec: string;
}

export interface LoaderOptions {
  /** The entry's absolute path. */
  readonly entry: string;
  /** The entry's text and the name diagnostics show. */
  readonly source: SourceFile;
  readonly ts: Typescript;
  /** What `import "strata-build"` gives. */
  readonly stdlib: object;
}

export interface LoadedGraph {
  /** TS002s; when there are any, `run` must not be called. */
  readonly diagnostics: readonly Diagnostic[];
  /** The user's files by the name diagnostics show (the entry's as given). */
  readonly sources: ReadonlyMap<string, SourceFile>;
  /** The user's file and offset a stack frame of a loaded module stands for. */
  readonly locateFrame: (frame: Frame) => Located | undefined;
  /** Runs the entry (and what it imports) and gives its exports; throws what the modules throw. */
  readonly run: () => Record<string, unknown>;
}

/** A run-time import that cannot be loaded (thrown into the module that asked: TS003). */
class LoadError extends Error {}

/** Loads the module graph of an image.ts: every file read, transpiled and compiled, nothing run. */
export function loadGraph(o: LoaderOptions): LoadedGraph {
  const modules = new Map<string, UserModule>();
  const sources = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  /** Files shown relative to the entry's name, as the user named the entry. */
  const nameOf = (path: string): string => moduleName(o.entry, o.source.name, path);
  const at = (source: SourceFile, offset: number, message: string, hint?: string): Diagnostic => ({
    code: "TS002",
    severity: "error",
    message,
    file: source.name,
    span: { start: offset, end: offset },
    ...(hint !== undefined && { hint }),
  });

  /** Reads, transpiles and compiles one file; its imports are resolved, not loaded. */
  const compile = (path: string, importer: Importer | undefined): UserModule | Diagnostic => {
    let source: SourceFile;
    try {
      source = path === o.entry ? o.source : new SourceFile(nameOf(path), readFileSync(path, "utf8"));
    } catch (e) {
      const from = importer?.module;
      return at(from?.source ?? o.source, from?.importAt.get(importer?.spec ?? "") ?? 0, `cannot read ${nameOf(path)}: ${(e as Error).message}`);
    }
    sources.set(source.name, source);
    if (path.endsWith(".json")) {
      try {
        return { path, source, run: undefined, data: JSON.parse(source.text), map: undefined, imports: new Map(), importAt: new Map() };
      } catch (e) {
        return at(source, 0, `cannot parse JSON: ${(e as Error).message}`);
      }
    }
    // .mts/.cts name the module format; the loader runs every file as CommonJS.
    const fileName = path.replace(/\.([mc])ts$/, ".ts").replace(/\.([mc])js$/, ".js");
    const out = o.ts.transpileModule(source.text, {
      fileName,
      reportDiagnostics: true,
      compilerOptions: { module: o.ts.ModuleKind.CommonJS, target: o.ts.ScriptTarget.ES2022, sourceMap: true, esModuleInterop: true, inlineSources: false },
      transformers: { before: [importMetaTransformer(o.ts)] },
    });
    const bad = out.diagnostics?.find((d) => d.category === o.ts.DiagnosticCategory.Error);
    if (bad !== undefined) return at(source, bad.start ?? 0, `cannot transpile: ${o.ts.flattenDiagnosticMessageText(bad.messageText, "\n")}`);
    const map = out.sourceMapText === undefined ? undefined : new SourceMap(JSON.parse(out.sourceMapText));
    let run: ModuleFunction;
    try {
      run = compileFunction(out.outputText, ["exports", "require", "module", "__filename", "__dirname", IMPORT_META], { filename: path }) as ModuleFunction;
    } catch (e) {
      // A SyntaxError the transpiler let through (top-level await): its line is in the stack's first line.
      const m = /:(\d+)\n/.exec((e as Error).stack ?? "");
      const line = m === null || map === undefined ? undefined : original(map, Number(m[1]), 1)?.line;
      const offset = line === undefined ? 0 : offsetOf(source, line, 1);
      const why = /await is only valid/.test((e as Error).message) ? "top-level await is not supported in image.ts" : (e as Error).message;
      return at(source, offset, `cannot run: ${why}`);
    }
    // The imports the emitted code requires (type-only ones are gone), placed where the source wrote them.
    const importAt = new Map<string, number>();
    for (const f of o.ts.preProcessFile(source.text, true, true).importedFiles) if (!importAt.has(f.fileName)) importAt.set(f.fileName, f.pos);
    const imports = new Map<string, ImportTarget>();
    for (const f of o.ts.preProcessFile(out.outputText, true, true).importedFiles) {
      if (imports.has(f.fileName)) continue;
      const target = resolveImport(f.fileName, path);
      imports.set(f.fileName, target);
      if (target.kind === "error") return at(source, importAt.get(f.fileName) ?? 0, target.message, target.hint);
    }
    return { path, source, run, map, imports, importAt };
  };

  /** The files whose imports are being loaded, in import order (depth first): one met again is a cycle. */
  const loading = new Map<string, UserModule>();
  const visit = (path: string, importer: Importer | undefined): boolean => {
    if (modules.has(path)) return true;
    if (loading.has(path) && importer !== undefined) {
      const chain = [...loading.keys()];
      const names = [...chain.slice(chain.indexOf(path)), path].map(nameOf);
      diagnostics.push(at(importer.module.source, importer.module.importAt.get(importer.spec) ?? 0, `import cycle: ${names.join(" → ")} (move what both need into a module of its own)`));
      return false;
    }
    const m = compile(path, importer);
    if (!("imports" in m)) {
      diagnostics.push(m);
      return false;
    }
    loading.set(path, m);
    let ok = true;
    for (const [spec, t] of m.imports) if (ok && t.kind === "file") ok = visit(t.path, { module: m, spec });
    loading.delete(path);
    if (ok) modules.set(path, m);
    return ok;
  };
  visit(o.entry, undefined);

  const locateFrame = (fr: Frame): Located | undefined => {
    const m = modules.get(fr.file);
    if (m?.map === undefined) return undefined;
    const pos = original(m.map, fr.line, fr.column);
    return pos === undefined ? undefined : { source: m.source, offset: calleeStart(m.source.text, offsetOf(m.source, pos.line, pos.column)) };
  };

  const run = (): Record<string, unknown> => {
    const cache = new Map<string, { exports: unknown }>();
    const exec = (m: UserModule): unknown => {
      const cached = cache.get(m.path);
      if (cached !== undefined) return cached.exports;
      const module = { exports: m.run === undefined ? m.data : {} };
      cache.set(m.path, module);
      if (m.run === undefined) return module.exports;
      const nodeRequire = createRequire(m.path);
      const require = (spec: string): unknown => {
        const t = m.imports.get(spec) ?? resolveImport(spec, m.path);
        switch (t.kind) {
          case "stdlib":
            return o.stdlib;
          case "node":
            return nodeRequire(t.id);
          case "error":
            throw new LoadError(t.message);
          case "file": {
            let dep = modules.get(t.path);
            if (dep === undefined) {
              // Only known at run time (a computed import): loaded now.
              const loaded = compile(t.path, { module: m, spec });
              if (!("imports" in loaded)) throw new LoadError(loaded.message);
              modules.set(t.path, loaded);
              dep = loaded;
            }
            return exec(dep);
          }
        }
      };
      m.run.call(module.exports, module.exports, require, module, m.path, dirname(m.path), { url: pathToFileURL(m.path).href, filename: m.path, dirname: dirname(m.path) });
      return module.exports;
    };
    const entry = modules.get(o.entry);
    if (entry === undefined) throw new Error("internal: image.ts run before it loaded");
    return exec(entry) as Record<string, unknown>;
  };

  return { diagnostics, sources, locateFrame, run };
}

/** `import.meta` → the module's IMPORT_META parameter (an ES module's `import.meta` means nothing in CommonJS). */
function importMetaTransformer(ts: Typescript): TS.TransformerFactory<TS.SourceFile> {
  return (ctx) => (sf) => {
    const visit = (node: TS.Node): TS.Node =>
      ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword ? ctx.factory.createIdentifier(IMPORT_META) : ts.visitEachChild(node, visit, ctx);
    return ts.visitNode(sf, visit) as TS.SourceFile;
  };
}

/** The 1-based source line and column a 1-based place in the emitted code maps to. */
function original(map: SourceMap, line: number, column: number): { line: number; column: number } | undefined {
  const e = map.findEntry(line - 1, column - 1);
  return "originalLine" in e ? { line: e.originalLine + 1, column: e.originalColumn + 1 } : undefined;
}

/**
 * The emitted call of an imported function, `(0, m.from)("x")`, maps to the end of `from`
 * (V8 places the call at its argument list): the call is written where `from` starts. A
 * method call (`.run(`) already maps to the method's name and is left as it is.
 */
function calleeStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && /[\p{ID_Continue}$\u200c\u200d]/u.test(text[i - 1] as string)) i--;
  return i < offset && /[\p{ID_Start}$_]/u.test(text[i] as string) ? i : offset;
}

function offsetOf(source: SourceFile, line: number, column: number): number {
  return Math.min(source.text.length, (source.lineStarts[line - 1] ?? 0) + column - 1);
}
