/**
 * Where an import in an evaluated image.ts module leads (runtime/imagets/loader.ts runs them):
 *
 * - `"strata-build"`: the stdlib built into this strata (loader.ts hands in the module object);
 *   a subpath of it, or the old name `"strata"`, is an error with a hint.
 * - `./x`, `../x`, `/x`: a file of the user's. Tried as written, then as TypeScript's node16
 *   resolution writes it (`./x.js` is `./x.ts` when only that exists; `.mjs` → `.mts`,
 *   `.cjs` → `.cts`), then with each extension added and as a folder's `index` file, as
 *   esbuild's bundler resolution did before.
 * - a Node builtin (`node:fs`, `fs`), or a package: Node's own resolution from the importing
 *   file, so the user's node_modules (and their package.json `exports`) decide.
 */
import { statSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { dirname, resolve } from "node:path";
import { IMPORT_HINT, OLD_STDLIB_IMPORT, STDLIB_IMPORT } from "./import-name.ts";

export type ImportTarget =
  | { readonly kind: "stdlib" }
  /** A user's file, transpiled and run by the loader. */
  | { readonly kind: "file"; readonly path: string }
  /** A builtin's name or a package file's path, loaded by Node's require. */
  | { readonly kind: "node"; readonly id: string }
  | { readonly kind: "error"; readonly message: string; readonly hint?: string };

/** The extensions the loader runs (JSON as data). */
export const MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"] as const;

const TS_FOR_JS: Readonly<Record<string, string>> = { ".js": ".ts", ".mjs": ".mts", ".cjs": ".cts" };

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function extensionOf(path: string): string {
  const m = /\.[^./]+$/.exec(path);
  return m === null ? "" : m[0];
}

/** The file a relative or absolute specifier names, or undefined. */
function resolveFile(base: string): string | undefined {
  if (isFile(base)) return base;
  const ext = extensionOf(base);
  const ts = TS_FOR_JS[ext];
  if (ts !== undefined && isFile(base.slice(0, -ext.length) + ts)) return base.slice(0, -ext.length) + ts;
  for (const e of MODULE_EXTENSIONS) if (isFile(base + e)) return base + e;
  for (const e of MODULE_EXTENSIONS) if (isFile(resolve(base, `index${e}`))) return resolve(base, `index${e}`);
  return undefined;
}

/** Resolves `spec` as imported by the file `importer` (an absolute path). */
export function resolveImport(spec: string, importer: string): ImportTarget {
  if (spec === STDLIB_IMPORT) return { kind: "stdlib" };
  if (spec.startsWith(`${STDLIB_IMPORT}/`)) return { kind: "error", message: `"${spec}" is not a module of ${STDLIB_IMPORT}: everything is exported by "${STDLIB_IMPORT}" itself`, hint: IMPORT_HINT };
  if (spec === OLD_STDLIB_IMPORT) return { kind: "error", message: `cannot find module "${spec}"`, hint: IMPORT_HINT };
  if (spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === ".." || spec.startsWith("/")) {
    const path = resolveFile(resolve(dirname(importer), spec));
    return path === undefined ? { kind: "error", message: `cannot find "${spec}": no such file (also tried ${MODULE_EXTENSIONS.join(" ")} and index files)` } : { kind: "file", path };
  }
  if (isBuiltin(spec)) return { kind: "node", id: spec };
  try {
    return { kind: "node", id: createRequire(importer).resolve(spec) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "MODULE_NOT_FOUND" ? "not in a node_modules folder above the importing file (npm install it in the project)" : (e as Error).message.split("\n")[0];
    return { kind: "error", message: `cannot find package "${spec}": ${why}` };
  }
}
