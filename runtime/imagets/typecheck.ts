/**
 * Type-checks an image.ts before anything runs, with ts-morph (loaded only
 * here, only for image.ts). The project is kept small for a cold start: the
 * in-memory file system (ts-morph's bundled lib files, only es2022 parsed),
 * the image.ts and the modules it imports read from disk, `strata` mapped to
 * the repository's stdlib by `paths`, no @types, skipLibCheck, no emit; and
 * only the user's files are asked for diagnostics.
 */
import { readFileSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { STDLIB_DIR, STDLIB_ENTRY } from "./evaluate.ts";

export interface TypeCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** The sources the diagnostics point into, by name. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/**
 * Checks `file` (shown as `source.name`); diagnostics carry the TypeScript
 * code (`TS2345`) and the span of the error.
 */
export async function typeCheckImageTs(file: string, source: SourceFile): Promise<TypeCheckResult> {
  // ts-morph carries TypeScript (~12 MB of JS): V8's compile cache makes loading it 3x faster after the first time.
  enableCompileCache();
  const { Project, ts } = await import("ts-morph");
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      noUncheckedIndexedAccess: true,
      paths: { strata: [STDLIB_ENTRY] },
    },
  });
  const fs = project.getFileSystem();
  const entry = resolve(file);
  // The user's files and the stdlib, copied into the in-memory file system (relative imports followed).
  const queue = [entry];
  const seen = new Set<string>();
  const userFiles: string[] = [];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    let text: string;
    try {
      text = path === entry ? source.text : readFileSync(path, "utf8");
    } catch {
      continue;
    }
    fs.writeFileSync(path, text);
    if (!path.startsWith(STDLIB_DIR)) userFiles.push(path);
    const info = ts.preProcessFile(text, true, true);
    for (const imp of info.importedFiles) {
      const spec = imp.fileName;
      if (spec === "strata") queue.push(STDLIB_ENTRY);
      else if (spec.startsWith(".")) {
        const base = resolve(dirname(path), spec);
        queue.push(base.endsWith(".ts") ? base : `${base.replace(/\.js$/, "")}.ts`);
      }
    }
  }
  for (const p of seen) if (fs.fileExistsSync(p)) project.addSourceFileAtPath(p);
  const program = project.getProgram().compilerObject;
  const sources = new Map<string, SourceFile>([[source.name, source]]);
  const diagnostics: Diagnostic[] = [];
  for (const path of userFiles) {
    const sf = program.getSourceFile(path);
    if (sf === undefined) continue;
    const name = path === entry ? source.name : path;
    if (!sources.has(name)) sources.set(name, new SourceFile(name, sf.text));
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const start = d.start ?? 0;
      diagnostics.push({
        code: `TS${d.code}`,
        severity: d.category === ts.DiagnosticCategory.Error ? "error" : "warning",
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        file: name,
        span: { start, end: start + (d.length ?? 0) },
      });
    }
  }
  return { diagnostics, sources };
}
