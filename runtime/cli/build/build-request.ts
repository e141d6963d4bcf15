/**
 * The one place `strata build` and `strata explain` turn their shared command line into what the
 * engine builds or plans (engine/prepare.ts's PlanRequest): the inputs (a directory, context `-`,
 * a tarball, a git URL, `-f -`: engine/input/build-input.ts) and every flag that changes what is
 * built or what the cache gives for it (build args, target, merging, --no-cache, --pull,
 * --platform, --cache-from, --build-context, the RUN flags of cli/run-flags.ts). Both commands
 * register these flags with requestFlagOptions and read them with openBuildRequest, so an explain
 * plans exactly what the same build would build; `--label` is read here too (it changes the
 * image's config, no layer).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import type { NamedContextSpec } from "../../engine/compile/named-contexts.ts";
import { type BuildInput, openBuildInput } from "../../engine/input/build-input.ts";
import { isGitContext } from "../../engine/input/git-context.ts";
import type { PlanRequest } from "../../engine/prepare.ts";
import type { CacheImport } from "../../registry/cache-spec.ts";
import type { Store } from "../../store/store.ts";
import { type InputFlags, inputFlagOptions, parseLabels } from "../build-flags.ts";
import { collect, insecureRegistries, parseBuildArgs } from "../options.ts";
import { type RunFlags, runEnvironment, runFlagOptions } from "../run-flags.ts";
import { collectBuildContext } from "./build-context.ts";
import { collectCacheFrom } from "./cache-options.ts";

export interface RequestFlags extends InputFlags, RunFlags {
  file?: string;
  buildArg: string[];
  target?: string;
  merge: boolean;
  /** false: --no-cache. */
  cache: boolean;
  /** The caches to read (checked as the command line is read). */
  cacheFrom: CacheImport[];
  buildContext: Record<string, NamedContextSpec>;
  insecureRegistry: string[];
}

/** The flags of the build request, on `build` and `explain` alike. */
export function requestFlagOptions(cmd: Command): Command {
  cmd
    .option("-f, --file <file>", "the Dockerfile (default CONTEXT/Dockerfile, else CONTEXT/Containerfile; - reads it from stdin)")
    .option("--build-arg <k=v>", "set a build-time variable; repeatable", collect, [])
    .option("--target <stage>", "build this stage")
    .option("--no-merge", "keep every RUN in a layer of its own")
    .option("--no-cache", "do not use the cache")
    .option("--cache-from <spec>", "a build cache to use: type=registry,ref=REF (or a bare REF) | type=local,src=DIR; repeatable", collectCacheFrom, [])
    .option("--build-context <name=value>", "a named context for FROM NAME, COPY --from=NAME and RUN --mount from=NAME: NAME=DIR | NAME=GIT-URL#ref:dir | NAME=https://URL (a tarball) | NAME=docker-image://REF | NAME=oci-layout://DIR; repeatable", collectBuildContext, {})
    .option("--insecure-registry <host>", "allow plain HTTP to this registry (loopback always may); repeatable", collect, []);
  return runFlagOptions(inputFlagOptions(cmd));
}

/** The build file and context a command line names (`close()` removes what was made for them). */
export function openBuildInputs(store: Store, context: string, file: string | undefined): Promise<BuildInput> {
  return openBuildInput({ context, file, tmp: store.layout.tmp, stdin: () => process.stdin });
}

export interface OpenedRequest {
  readonly request: PlanRequest;
  /** --label, for the written image's config. */
  readonly labels: Record<string, string>;
  /** --platform's platforms (none: this machine's); with several, the request is made once per platform (engine/build-platforms.ts). */
  readonly platforms: readonly string[];
  /** Removes the scratch copy of a context from stdin, a tarball or git (always call it). */
  close(): Promise<void>;
}

/** The inputs opened and the flags read into the engine's request. */
export async function openBuildRequest(store: Store, context: string, opts: RequestFlags): Promise<OpenedRequest> {
  const input = await openBuildInputs(store, context, opts.file);
  const scratch = input.path !== context || input.file !== opts.file;
  const request: PlanRequest = {
    store,
    path: input.path,
    file: input.file,
    shown: input.shown,
    // A scratch copy's path changes every time: the target is named by what the command line said.
    recordName: scratch ? JSON.stringify([context === "-" || isGitContext(context) ? context : resolve(context), opts.file ?? ""]) : undefined,
    buildArgs: parseBuildArgs(opts.buildArg),
    target: opts.target,
    merge: opts.merge,
    noCache: !opts.cache,
    pull: opts.pull,
    platform: opts.platform?.[0],
    run: runEnvironment(opts),
    cacheFrom: opts.cacheFrom,
    registry: { insecure: insecureRegistries(opts.insecureRegistry) },
    namedContexts: opts.buildContext,
    // bin/strata.js names the bundle it runs: compiled graphs are kept per build of Strata.
    compilerId: process.env.STRATA_BUILD_ID,
  };
  return { request, labels: parseLabels(opts.label), platforms: opts.platform ?? [], close: () => input.close() };
}
