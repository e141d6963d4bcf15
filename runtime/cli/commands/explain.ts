import { type Command, Option } from "commander";
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { isLintFinding, lintSummary, lintViolation } from "../../../compiler/lint/build-checks.ts";
import { type ExplainFormat, formatPlan } from "../../../compiler/explain/format.ts";
import type { SourceFile } from "../../../compiler/source/source-file.ts";
import type { CompileRequest } from "../../engine/compile/compile.ts";
import { explain } from "../../engine/explain.ts";
import type { Store } from "../../store/store.ts";
import { openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { collect, insecureRegistries, parseBuildArgs } from "../options.ts";
import { printStepError } from "../step-error.ts";
import { collectCacheFrom } from "../build/cache-options.ts";
import { collectBuildContext } from "../build/build-context.ts";
import type { NamedContextSpec } from "../../engine/compile/named-contexts.ts";
import type { CacheImport } from "../../registry/cache-spec.ts";
import type { RunEnvironment } from "../../engine/exec/run/environment.ts";

export interface ExplainOptions {
  file?: string;
  buildArg: string[];
  target?: string;
  merge: boolean;
  format: ExplainFormat;
  /** The caches to read (checked as the command line is read). */
  cacheFrom: CacheImport[];
  insecureRegistry: string[];
  buildContext: Record<string, NamedContextSpec>;
}

/** The options build and explain share. */
export function explainOptions(cmd: Command): Command {
  return cmd
    .option("-f, --file <file>", "the Dockerfile (default CONTEXT/Dockerfile)")
    .option("--build-arg <k=v>", "set a build-time variable; repeatable", collect, [])
    .option("--target <stage>", "build this stage")
    .option("--no-merge", "keep every RUN in a layer of its own")
    .option("--cache-from <spec>", "a build cache to use: type=registry,ref=REF (or a bare REF) | type=local,src=DIR; repeatable", collectCacheFrom, [])
    .option("--build-context <name=value>", "a named context for FROM NAME, COPY --from=NAME and RUN --mount from=NAME: NAME=DIR | NAME=GIT-URL#ref:dir | NAME=https://URL (a tarball) | NAME=docker-image://REF | NAME=oci-layout://DIR; repeatable", collectBuildContext, {})
    .option("--insecure-registry <host>", "allow plain HTTP to this registry (loopback always may); repeatable", collect, [])
    .addOption(new Option("--format <format>", "explain output format").choices(["text", "json", "yaml", "dot"]).default("text"));
}

/** The compile half of a build or explain request, from the shared flags. */
export function compileRequest(store: Store, path: string, opts: ExplainOptions): CompileRequest {
  return {
    store,
    path,
    file: opts.file,
    buildArgs: parseBuildArgs(opts.buildArg),
    target: opts.target,
    merge: opts.merge,
    registry: { insecure: insecureRegistries(opts.insecureRegistry) },
    namedContexts: opts.buildContext,
    // bin/strata.js names the bundle it runs: compiled graphs are kept per build of Strata.
    compilerId: process.env.STRATA_BUILD_ID,
  };
}

/** The build checks' warnings among compile diagnostics (printed as a block by lintSummary). */
export function lintWarnings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "warning" && isLintFinding(d));
}

/**
 * Prints compile diagnostics on stderr, framed in the build file, except the build checks'
 * warnings (the caller prints their block); build checks that are errors (check=error=true)
 * end with BuildKit's "lint violation found for rules: …".
 */
export function printDiagnostics(source: SourceFile, diagnostics: readonly Diagnostic[]): void {
  const warnings = new Set(lintWarnings(diagnostics));
  for (const d of diagnostics) if (!warnings.has(d)) process.stderr.write(`${formatDiagnostic(d, source)}\n`);
  const violations = diagnostics.filter((d) => d.severity === "error" && isLintFinding(d));
  if (violations.length > 0) process.stderr.write(`${lintViolation(violations)} (check=error=true: the build checks' warnings fail the build)\n`);
}

/** Prints the layer plan of a build without running anything. */
export async function runExplain(store: Store, path: string, opts: ExplainOptions & { offline?: boolean }, run?: RunEnvironment): Promise<void> {
  const onDiagnostics = (source: SourceFile, diagnostics: readonly Diagnostic[]): void => {
    printDiagnostics(source, diagnostics);
    process.stderr.write(lintSummary(source, lintWarnings(diagnostics)));
  };
  const r = await explain({ ...compileRequest(store, path, opts), cacheFrom: opts.cacheFrom, offline: opts.offline === true, onDiagnostics, run });
  if (r.kind !== "planned") {
    if (r.kind === "failed") printStepError(r.error, r.source);
    process.exitCode = ExitCode.failure;
    return;
  }
  process.stdout.write(await formatPlan(r.plan, opts.format));
  if (r.refused) process.exitCode = ExitCode.failure;
}

export function registerExplain(program: Command): void {
  const cmd = program
    .command("explain")
    .description("Show the layer plan of a build, predicted cache hits and why misses miss; runs nothing")
    .argument("[context]", "build context directory (or a Dockerfile)", ".")
    .option("--offline", "ask no registry: base images not in the store are reported as unknown");
  explainOptions(cmd).action(async (path: string, opts: ExplainOptions & { offline?: boolean }, c: Command) => runExplain(await openStore(c), path, opts));
}
