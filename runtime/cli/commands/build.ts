import { type Command, Option } from "commander";
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import { lintSummary } from "../../../compiler/lint/build-checks.ts";
import type { SourceFile } from "../../../compiler/source/source-file.ts";
import { type BuildRequest, build } from "../../engine/build.ts";
import { buildPlatforms } from "../../engine/build-platforms.ts";
import { locateBuildFile } from "../../engine/compile/build-file.ts";
import type { SecretSource } from "../../engine/exec/step-sources.ts";
import { type BuildFlags, removeBuildResults, resultFlagOptions, writeBuildResults } from "../build-flags.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { ExitCode } from "../exit-codes.ts";
import { collect, imageReferences, insecureRegistries, parseBuildArgs } from "../options.ts";
import { openBuildInputs, openBuildRequest, requestFlagOptions } from "../build/build-request.ts";
import { createProgress, PROGRESS_MODES, type ProgressMode, progressMode } from "../progress/index.ts";
import { printStepError } from "../step-error.ts";
import { parseCacheTo } from "../build/cache-options.ts";
import type { CacheExport } from "../../registry/cache-spec.ts";
import { diagnosticsOnce, type ExplainOptions, explainFormatOption, lintWarnings, printDiagnostics, printPlanWarnings, runExplain } from "./explain.ts";
import { StrataError } from "../../errors/error.ts";
import { collectOutput, type OutputSpec } from "../build/output-spec.ts";
import { checkOutputs, type OutputRequest, writeOutputs, writesStdout } from "../build/outputs.ts";

/** `--secret id=X,src=FILE` / `id=X,env=VAR` (also `source=`, `type=file|env`; a bare `id=X` reads the env var X). */
export function parseSecrets(specs: readonly string[]): Map<string, SecretSource> {
  const out = new Map<string, SecretSource>();
  for (const spec of specs) {
    const kv = new Map(spec.split(",").map((f) => [f.slice(0, f.indexOf("=") < 0 ? f.length : f.indexOf("=")), f.slice(f.indexOf("=") + 1)] as [string, string]));
    const id = kv.get("id");
    if (!id) throw new StrataError("USAGE", `--secret ${spec}: missing id=`);
    const src = kv.get("src") ?? kv.get("source");
    const env = kv.get("env");
    if (src !== undefined && kv.get("type") !== "env") out.set(id, { file: src });
    else out.set(id, { env: env ?? src ?? id });
  }
  return out;
}

interface BuildOptions extends ExplainOptions, BuildFlags {
  tag: string[];
  quiet?: boolean;
  check?: boolean;
  explain?: boolean;
  secret: string[];
  /** Absent: $BUILDKIT_PROGRESS, else auto (progressMode). */
  progress?: ProgressMode;
  cacheTo?: CacheExport;
  output: OutputSpec[];
  push?: boolean;
  /** --report FILE.html: the build's html report (cli/build/report.ts). */
  report?: string;
}

export function registerBuild(program: Command): void {
  const cmd = program
    .command("build")
    .description("Build an image from a Dockerfile")
    .argument("[context]", "build context: a directory (or a Dockerfile), a tarball, a git or http(s) URL, or - (stdin: a tar or a Dockerfile)", ".")
    .option("-t, --tag <name>", "name and optionally a tag (name:tag); repeatable", imageReferences("-t, --tag"), [])
    .option("-q, --quiet", "print only the image id")
    .option("--secret <spec>", "a secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR; repeatable", collect, [])
    .addOption(new Option("--progress <mode>", "progress output (default: $BUILDKIT_PROGRESS, else auto)").choices(PROGRESS_MODES))
    .option("--check", "run the build checks (as strata check) instead of building")
    .option("--explain", "print the layer plan (as strata explain) instead of building")
    .option("-o, --output <spec>", "also write the result: type=local,dest=DIR | type=tar,dest=FILE | type=oci|docker,dest=FILE[,name=REF] | type=image[,name=REF][,push=true] | type=registry | DIR | - ; repeatable", collectOutput, [])
    .option("--push", "push the image to its -t names once built (as --output type=registry)")
    .option("--load", "keep the image in the local store (always done)")
    .option("--report <file>", "write an html report of the build: its graph, cache hits and misses with their reasons, each layer's time and size")
    .option("--cache-to <spec>", "export the build cache: type=registry,ref=REF | type=local,dest=DIR [,mode=min|max][,compression=gzip|zstd][,ignore-error=true] | type=inline (with a push)", parseCacheTo);
  explainFormatOption(resultFlagOptions(requestFlagOptions(cmd))).action(async (contextDir: string, opts: BuildOptions, c: Command) => {
    const outputs: OutputRequest = { outputs: opts.output, push: opts.push === true, tags: opts.tag, insecure: insecureRegistries(opts.insecureRegistry), inlineCache: opts.cacheTo?.type === "inline" };
    checkOutputs(outputs);
    if (opts.report !== undefined && (opts.platform?.length ?? 0) > 1) throw new StrataError("USAGE", "--report shows one platform's build: name one --platform");
    const mode = opts.quiet ? "quiet" : progressMode(opts.progress);
    const store = await openStore(c);
    if (opts.explain) {
      await runExplain(store, contextDir, opts);
      return;
    }
    if (opts.check) {
      const { runCheck } = await import("./check.ts");
      const input = await openBuildInputs(store, contextDir, opts.file);
      const file = await locateBuildFile(input.path, input.file, input.shown);
      process.exitCode = await runCheck([file.path], { format: "text", buildArgs: parseBuildArgs(opts.buildArg) }, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).finally(() => input.close());
      return;
    }
    // Before any work: runc and overlay (the stages' layer depth is checked while planning).
    await preflight(store);
    const progress = createProgress(mode);
    // The build checks' warnings are printed once the progress is done, as buildx does (not in quiet or rawjson mode).
    let checks = "";
    const onDiagnostics = diagnosticsOnce((source: SourceFile, diagnostics: readonly Diagnostic[]): void => {
      printDiagnostics(source, diagnostics);
      if (mode !== "quiet" && mode !== "rawjson") checks += lintSummary(source, lintWarnings(diagnostics));
    });
    const sde = process.env.SOURCE_DATE_EPOCH;
    await removeBuildResults(opts);
    const opened = await openBuildRequest(store, contextDir, opts);
    // --report: the build planned first, its steps noted as they run (loaded only then).
    const report =
      opts.report === undefined
        ? undefined
        : await (await import("../build/report.ts")).startReport(store, { ...opened.request, onDiagnostics: () => undefined }, progress, opts.report).catch(async (e: unknown) => {
            progress.close();
            await opened.close();
            throw e;
          });
    const request: BuildRequest = {
      ...opened.request,
      labels: opened.labels,
      tags: opts.tag,
      secrets: parseSecrets(opts.secret),
      sourceDateEpoch: sde ? Number(sde) : undefined,
      cacheTo: opts.cacheTo,
      progress: report?.progress ?? progress,
      onDiagnostics,
      onWarnings: printPlanWarnings,
    };
    const r = await (opened.platforms.length > 1 ? buildPlatforms(request, opened.platforms) : build(request))
      .finally(() => opened.close())
      .catch((e: unknown) => {
        progress.close();
        throw e;
      });
    if (r.kind === "built" && !opts.quiet) {
      progress.info(`${r.executed} steps run, ${r.cached} cached`);
      progress.info(`writing image ${r.id} done`);
      for (const t of opts.tag) progress.info(`naming to ${t} done`);
    }
    if (r.kind === "built") {
      const pushed = await writeOutputs(store, r.manifest, outputs, (line) => !opts.quiet && progress.info(line)).catch((e: unknown) => {
        progress.close();
        throw e;
      });
      await writeBuildResults(opts, opts.tag, r, pushed);
      await report?.write();
    }
    progress.close();
    if (r.kind === "built" && !opts.quiet) printPlanWarnings(r.warnings);
    process.stderr.write(checks);
    if (r.kind === "built") {
      if (opts.quiet && !writesStdout(outputs)) process.stdout.write(`${r.id}\n`);
      return;
    }
    if (r.kind === "failed") printStepError(r.error, r.source);
    process.exitCode = ExitCode.failure;
  });
}
