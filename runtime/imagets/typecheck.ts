/**
 * Type-checks an image.ts before anything runs, with ts-morph (loaded only here, only for
 * image.ts). `"strata-build"` is the stdlib built into this strata: its sources come from
 * stdlib-sources.ts (embedded in the bundle) and are served in memory under VIRTUAL_ROOT,
 * mapped by `paths`, so the check reads no stdlib file and an installed package checks
 * exactly the API it runs. The user's files and their packages (node_modules, with their
 * own types) are read from disk as TypeScript resolves them; TypeScript's lib files come
 * from ts-morph's memory (only es2022). No @types unless a file references them, no emit,
 * skipLibCheck, and only the user's files are asked for diagnostics.
 */
import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { resolve } from "node:path";
import type { InMemoryFileSystemHost as MemoryHost, RuntimeDirEntry } from "ts-morph";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { SourceFile } from "../../compiler/source/source-file.ts";
import { moduleName } from "./file-names.ts";
import { IMPORT_HINT, OLD_STDLIB_IMPORT, STDLIB_IMPORT } from "./import-name.ts";
import { stdlibSources } from "./stdlib-sources.ts";

/** Where the stdlib's sources are in the checker's file system (no such folder is read from disk). */
const VIRTUAL_ROOT = `/${STDLIB_IMPORT}/`;

export interface TypeCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** The sources the diagnostics point into, by name. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/** A module specifier (with its quotes) that means the stdlib by a name that is not its import name. */
const WRONG_NAME = new RegExp(`^["'](${OLD_STDLIB_IMPORT}(/.*)?|${STDLIB_IMPORT}/.*)["']$`);

/** TypeScript's "Cannot find name 'process' / 'node:fs'. Do you need to install type definitions for node?" */
const NODE_TYPES_CODES = new Set([2580, 2591]);
const NODE_TYPES_HINT = 'strata reads no tsconfig.json: with @types/node installed, add /// <reference types="node" /> at the top of the file';

/**
 * Checks `file` (shown as `source.name`); diagnostics carry the TypeScript
 * code (`TS2345`) and the span of the error.
 */
export async function typeCheckImageTs(file: string, source: SourceFile): Promise<TypeCheckResult> {
  // ts-morph carries TypeScript (~12 MB of JS): V8's compile cache makes loading it 3x faster after the first time.
  enableCompileCache();
  const { InMemoryFileSystemHost, Project, ts } = await import("ts-morph");
  const entry = resolve(file);
  const files = new Map<string, string>(Object.entries(stdlibSources()).map(([name, text]) => [VIRTUAL_ROOT + name, text]));
  files.set(entry, source.text);
  const project = new Project({
    fileSystem: overlay(InMemoryFileSystemHost, files),
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowJs: true,
      resolveJsonModule: true,
      esModuleInterop: true,
      allowImportingTsExtensions: true,
      noUncheckedIndexedAccess: true,
      paths: { [STDLIB_IMPORT]: [`${VIRTUAL_ROOT}index.ts`] },
    },
  });
  project.addSourceFileAtPath(entry);
  const program = project.getProgram().compilerObject;
  const sources = new Map<string, SourceFile>([[source.name, source]]);
  const diagnostics: Diagnostic[] = [];
  for (const sf of program.getSourceFiles()) {
    const path = sf.fileName;
    if (sf.isDeclarationFile || path.startsWith(VIRTUAL_ROOT) || path.includes("/node_modules/") || program.isSourceFileDefaultLibrary(sf)) continue;
    const name = moduleName(entry, source.name, path);
    if (!sources.has(name)) sources.set(name, new SourceFile(name, sf.text));
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const start = d.start ?? 0;
      const end = start + (d.length ?? 0);
      const hint = d.code === 2307 && WRONG_NAME.test(sf.text.slice(start, end)) ? IMPORT_HINT : NODE_TYPES_CODES.has(d.code) ? NODE_TYPES_HINT : undefined;
      diagnostics.push({
        code: `TS${d.code}`,
        severity: d.category === ts.DiagnosticCategory.Error ? "error" : "warning",
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        file: name,
        span: { start, end },
        ...(hint !== undefined && { hint }),
      });
    }
  }
  return { diagnostics, sources };
}

/**
 * ts-morph's file system host for the check: `files` (the stdlib's sources, the entry's text
 * as read once) from memory, everything else from disk, read-only. It extends the in-memory
 * host so that a missing path fails with the errors ts-morph expects of a host.
 */
function overlay(Base: typeof MemoryHost, files: ReadonlyMap<string, string>): MemoryHost {
  const dirs = new Set<string>();
  for (const p of files.keys()) for (let d = p.slice(0, p.lastIndexOf("/")); d.length > 0; d = d.slice(0, d.lastIndexOf("/"))) dirs.add(d);
  const virtual = (p: string): boolean => p === VIRTUAL_ROOT.slice(0, -1) || p.startsWith(VIRTUAL_ROOT);
  const stat = (p: string) => statSync(p, { throwIfNoEntry: false });
  return new (class extends Base {
    override fileExistsSync(p: string): boolean {
      return files.has(p) || (!virtual(p) && (stat(p)?.isFile() ?? false));
    }
    override fileExists(p: string): Promise<boolean> {
      return Promise.resolve(this.fileExistsSync(p));
    }
    override directoryExistsSync(p: string): boolean {
      return dirs.has(p) || (!virtual(p) && (stat(p)?.isDirectory() ?? false));
    }
    override directoryExists(p: string): Promise<boolean> {
      return Promise.resolve(this.directoryExistsSync(p));
    }
    override readFileSync(p: string, encoding?: string): string {
      const text = files.get(p);
      if (text !== undefined) return text;
      if (!virtual(p)) {
        try {
          return readFileSync(p, "utf8");
        } catch (e) {
          if (!["ENOENT", "ENOTDIR", "EISDIR"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
        }
      }
      return super.readFileSync(p, encoding); // throws ts-morph's FileNotFoundError
    }
    override readFile(p: string, encoding?: string): Promise<string> {
      return Promise.resolve().then(() => this.readFileSync(p, encoding));
    }
    override readDirSync(p: string): RuntimeDirEntry[] {
      if (virtual(p)) return [...files.keys()].filter((f) => f.startsWith(`${p}/`) && !f.slice(p.length + 1).includes("/")).map((name) => ({ name, isFile: true, isDirectory: false, isSymlink: false }));
      let entries: Dirent[];
      try {
        entries = readdirSync(p, { withFileTypes: true });
      } catch {
        return super.readDirSync(p); // throws ts-morph's DirectoryNotFoundError
      }
      return entries.map((e) => {
        const name = `${p === "/" ? "" : p}/${e.name}`;
        const s = e.isSymbolicLink() ? stat(name) : undefined;
        return { name, isFile: s?.isFile() ?? e.isFile(), isDirectory: s?.isDirectory() ?? e.isDirectory(), isSymlink: e.isSymbolicLink() };
      });
    }
    override realpathSync(p: string): string {
      if (virtual(p) || files.has(p)) return p;
      try {
        return realpathSync(p);
      } catch {
        return p;
      }
    }
    override getCurrentDirectory(): string {
      return process.cwd();
    }
  })();
}
