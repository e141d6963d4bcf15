/**
 * The compile phase: a build file (Dockerfile or image.ts) → the optimized
 * build graph, with every base image it names resolved (bases.ts). What
 * build and explain share before the context is read.
 */
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import type { BuildGraph } from "../../../compiler/ir/graph.ts";
import type { LowerResult } from "../../../compiler/lower/dockerfile.ts";
import { optimize } from "../../../compiler/passes/index.ts";
import { SourceFile } from "../../../compiler/source/source-file.ts";
import { StrataError } from "../../errors/error.ts";
import { isImageTs } from "../../imagets/detect.ts";
import type { RegistryOptions } from "../../registry/options.ts";
import { cachedCompile, rememberCompile } from "../../store/compiled-graphs.ts";
import type { Store } from "../../store/store.ts";
import { type BaseMode, BaseResolver } from "./bases.ts";
import type { ShownNames } from "../input/build-input.ts";
import { type BuildFile, findIgnoreFile, locateBuildFile } from "./build-file.ts";
import { parseForLowering } from "./dockerfile.ts";
import { loweringContexts, type NamedContextSpec, withLayoutsLoaded } from "./named-contexts.ts";

/** What build and explain both compile: a build file and its context, with the options that change the graph. */
export interface CompileRequest {
  readonly store: Store;
  /** The context directory, or a Dockerfile (or image.ts) whose directory is the context. */
  readonly path: string;
  /** -f: the build file, when not CONTEXT/Dockerfile (or CONTEXT/image.ts). */
  readonly file?: string | undefined;
  /** What diagnostics call the build file when it is read from a scratch copy (build-file.ts). */
  readonly shown?: ShownNames | undefined;
  /** --pull: pull every base image even when the store has it (build only). */
  readonly pull?: boolean | undefined;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target?: string | undefined;
  /** os/arch[/variant] the graph is for and bases are fetched for (default: this machine's). */
  readonly platform?: string | undefined;
  /** Merge adjacent RUNs (false: --no-merge). */
  readonly merge: boolean;
  readonly registry: RegistryOptions;
  /** --build-context NAME=…: named contexts that FROM and COPY --from= read (context/named.ts). */
  readonly namedContexts?: Readonly<Record<string, NamedContextSpec>> | undefined;
  /**
   * Names this build of Strata (bin/strata.js gives its bundle's fingerprint):
   * compiled graphs are kept between runs only for the same one. Absent: none are kept.
   */
  readonly compilerId?: string | undefined;
}

export interface CompileOptions extends CompileRequest {
  /** What to do about base images the store lacks (bases.ts). */
  readonly bases: BaseMode;
}

export interface Compiled {
  readonly file: BuildFile;
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  /** Optimized; undefined when the build file has errors. */
  readonly graph: BuildGraph | undefined;
  /** The images the graph names, for the plan (image IDs, layer counts). */
  readonly images: BaseResolver;
}

/** Finds, compiles and optimizes the build file. */
export async function compileBuild(options: CompileOptions): Promise<Compiled> {
  const o = { ...options, namedContexts: await withLayoutsLoaded(options.store, options.namedContexts) };
  const file = await locateBuildFile(o.path, o.file, o.shown);
  await access(file.path, constants.R_OK).catch((e: NodeJS.ErrnoException) => {
    throw new StrataError("FILE_UNREADABLE", `cannot read ${file.displayName}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
  });
  const images = new BaseResolver({ store: o.store, mode: o.bases, registry: o.registry, platform: o.platform, pull: o.pull === true });
  const front = isImageTs(file.path) ? await compileImageTs(file, o, images) : await compileDockerfile(file, o, images);
  const graph = front.graph === undefined ? undefined : optimize(front.graph, { mergeRuns: o.merge });
  return { file, source: front.source, diagnostics: front.diagnostics, graph, images };
}

interface FrontEndResult {
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  readonly graph: BuildGraph | undefined;
}

function finish(source: SourceFile, before: readonly Diagnostic[], lowered: LowerResult): FrontEndResult {
  return { source, diagnostics: [...before, ...lowered.diagnostics], graph: lowered.graph };
}

/** image.ts support (ts-morph: its type check and its transpiler) is loaded only for an image.ts. */
async function compileImageTs(file: BuildFile, o: CompileOptions, images: BaseResolver): Promise<FrontEndResult> {
  const { loadImageTs } = await import("../../imagets/compile.ts");
  const loaded = await loadImageTs({ file: file.path, displayName: file.displayName, buildArgs: o.buildArgs, target: o.target, platform: o.platform, namedContexts: loweringContexts(o.namedContexts) });
  if (loaded.lower === undefined) return { source: loaded.source, diagnostics: loaded.diagnostics, graph: undefined };
  return finish(loaded.source, loaded.diagnostics, await images.lower(loaded.lower, loaded.source));
}

/** A Dockerfile, from the cache of compiled graphs when its bytes, arguments and images are unchanged. */
async function compileDockerfile(file: BuildFile, o: CompileOptions, images: BaseResolver): Promise<FrontEndResult> {
  const text = await readFile(file.path, "utf8");
  const source = new SourceFile(file.displayName, text);
  // The .dockerignore is read by the build checks (CopyIgnoredFile), so it is part of the key.
  const ignore = await findIgnoreFile(file.contextDir, file.explicit ? file.path : undefined);
  const namedContexts = loweringContexts(o.namedContexts);
  const key = { compiler: o.compilerId, text, name: source.name, buildArgs: o.buildArgs, target: o.target, platform: o.platform, dockerignore: ignore?.text, namedContexts };
  // --pull asks the registries again, so a graph kept from an earlier compile is not used.
  const cached = o.pull ? undefined : await cachedCompile(o.store, key);
  if (cached) return { source, graph: cached.graph, diagnostics: cached.diagnostics };
  const parsed = await parseForLowering(source, { ...o, namedContexts, dockerignore: ignore?.text.split(/\r?\n/) });
  if (parsed.lower === undefined) return { source, diagnostics: parsed.diagnostics, graph: undefined };
  const result = finish(source, parsed.diagnostics, await images.lower(parsed.lower, source));
  // Kept only when every image it names is in the store (an explain may have looked some up remotely).
  if (result.graph !== undefined && images.allLocal) await rememberCompile(o.store, key, { graph: result.graph, diagnostics: result.diagnostics, images: images.ids });
  return result;
}
