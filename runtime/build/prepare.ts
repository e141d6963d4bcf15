import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { BuildGraph } from "../../compiler/ir/graph.ts";
import { optimize } from "../../compiler/passes/index.ts";
import type { SourceFile } from "../../compiler/source/source-file.ts";
import { isImageTs } from "../imagets/detect.ts";
import type { Store } from "../store/store.ts";
import { compileDockerfile } from "./build.ts";
import { BuildContext } from "./context.ts";

export interface PrepareOptions {
  readonly store: Store;
  /** A context directory, or a Dockerfile whose directory is the context. */
  readonly path: string;
  /** -f: the Dockerfile, when not CONTEXT/Dockerfile. */
  readonly file?: string | undefined;
  readonly buildArgs: Record<string, string>;
  readonly target?: string | undefined;
  readonly merge: boolean;
}

export interface Prepared {
  readonly dockerfile: string;
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  /** Optimized; undefined when the Dockerfile has errors. */
  readonly graph: BuildGraph | undefined;
  readonly context: BuildContext;
}

const exists = (p: string): Promise<boolean> => access(p).then(
  () => true,
  () => false,
);

/**
 * Resolves the build file and context, compiles, and runs the optimizer
 * passes: what build and explain share. The build file is an image.ts when
 * its name ends in `.ts`, or when CONTEXT has an image.ts and no Dockerfile.
 */
export async function prepareBuild(o: PrepareOptions): Promise<Prepared> {
  let contextDir = resolve(o.path);
  let dockerfile = o.file !== undefined ? resolve(o.file) : resolve(contextDir, "Dockerfile");
  let defaultName = "Dockerfile";
  if (o.file === undefined && (await stat(contextDir).catch(() => undefined))?.isFile()) {
    dockerfile = contextDir;
    contextDir = dirname(contextDir);
  } else if (o.file === undefined && !(await exists(dockerfile)) && (await exists(resolve(contextDir, "image.ts")))) {
    dockerfile = resolve(contextDir, "image.ts");
    defaultName = "image.ts";
  }
  await o.store.init();
  const display = o.file ?? (dockerfile === resolve(o.path) ? o.path : `${o.path.replace(/\/$/, "")}/${defaultName}`);
  // image.ts support (ts-morph, esbuild) is loaded only for an image.ts.
  const compiled = isImageTs(dockerfile)
    ? await (await import("../imagets/compile.ts")).compileImageTs({ file: dockerfile, displayName: display, buildArgs: o.buildArgs, target: o.target, store: o.store })
    : await compileDockerfile({ dockerfile, displayName: display, buildArgs: o.buildArgs, target: o.target, store: o.store });
  const context = await BuildContext.open(contextDir, o.file !== undefined ? dockerfile : undefined);
  const graph = compiled.graph === undefined ? undefined : optimize(compiled.graph, { mergeRuns: o.merge });
  return { dockerfile, source: compiled.source, diagnostics: compiled.diagnostics, graph, context };
}
