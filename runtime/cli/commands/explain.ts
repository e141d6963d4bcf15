import { type Command, Option } from "commander";
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { isLintFinding, lintSummary, lintViolation } from "../../../compiler/lint/build-checks.ts";
import { type ExplainFormat, formatPlan } from "../../../compiler/explain/format.ts";
import type { SourceFile } from "../../../compiler/source/source-file.ts";
import { explain, explainPlatforms } from "../../engine/explain.ts";
import type { PlanWarning } from "../../engine/plan/checks.ts";
import { StrataError } from "../../errors/error.ts";
import type { Store } from "../../store/store.ts";
import { openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { printStepError } from "../step-error.ts";
import { openBuildRequest, type RequestFlags, requestFlagOptions } from "../build/build-request.ts";

export interface ExplainOptions extends RequestFlags {
  format: ExplainFormat;
  offline?: boolean;
}

/** `--format`, of `explain` and `build --explain`. */
export function explainFormatOption(cmd: Command): Command {
  return cmd.addOption(new Option("--format <format>", "explain output format").choices(["text", "json", "yaml", "dot", "html"]).default("text"));
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

/** Each platform's build or plan compiles the file again (several --platform): `print` gets each diagnostic once, however many compiles say it. */
export function diagnosticsOnce(print: (source: SourceFile, diagnostics: readonly Diagnostic[]) => void): (source: SourceFile, diagnostics: readonly Diagnostic[]) => void {
  const said = new Set<string>();
  return (source, diagnostics) => {
    const fresh = diagnostics.filter((d) => !said.has(formatDiagnostic(d, source)));
    for (const d of fresh) said.add(formatDiagnostic(d, source));
    print(source, fresh);
  };
}

/** The plan checks on stderr: a fatal one as the error that stops the build, the others as warnings. */
export function printPlanWarnings(warnings: readonly PlanWarning[]): void {
  for (const w of warnings) process.stderr.write(`${w.fatal ? "strata: error" : "warning"}[${w.code}]: ${w.message}\n`);
}

/** Prints the layer plan of the build this command line names, without running anything; with several --platform, one plan per platform and what they share. */
export async function runExplain(store: Store, context: string, opts: ExplainOptions): Promise<void> {
  const onDiagnostics = diagnosticsOnce((source, diagnostics) => {
    printDiagnostics(source, diagnostics);
    process.stderr.write(lintSummary(source, lintWarnings(diagnostics)));
  });
  if (opts.format === "html" && (opts.platform?.length ?? 0) > 1) throw new StrataError("USAGE", "--format html shows one platform's plan: name one --platform");
  const opened = await openBuildRequest(store, context, opts);
  const request = { ...opened.request, offline: opts.offline === true, onDiagnostics };
  const r = await (opened.platforms.length > 1 ? explainPlatforms(request, opened.platforms) : explain(request)).finally(() => opened.close());
  if (r.kind !== "planned") {
    if (r.kind === "failed") printStepError(r.error, r.source);
    process.exitCode = ExitCode.failure;
    return;
  }
  if (opts.format === "html") {
    if ("plans" in r) throw new StrataError("USAGE", "--format html shows one platform's plan: name one --platform");
    // The page and its layout library are loaded only for html.
    const { renderReport } = await import("../../../compiler/report/page.ts");
    process.stdout.write(await renderReport(r.plan, { parts: r.parts, title: "explain" }));
  } else if ("plans" in r) {
    const { formatPlatforms } = await import("../../../compiler/explain/format-platforms.ts");
    process.stdout.write(await formatPlatforms(r.plans, opts.format));
  } else process.stdout.write(await formatPlan(r.plan, opts.format));
  // The plan lists every warning; what would stop the build is also said as the build says it.
  if (r.refusals.length > 0) {
    printPlanWarnings(r.refusals);
    process.exitCode = ExitCode.failure;
  }
}

export function registerExplain(program: Command): void {
  const cmd = program
    .command("explain")
    .description("Show the layer plan of a build, predicted cache hits and why misses miss; runs nothing (takes build's context and flags)")
    .argument("[context]", "build context: a directory (or a Dockerfile), a tarball, a git URL, or - (stdin: a tar or a Dockerfile)", ".")
    .option("--offline", "ask no registry: base images not in the store are reported as unknown");
  explainFormatOption(requestFlagOptions(cmd)).action(async (context: string, opts: ExplainOptions, c: Command) => runExplain(await openStore(c), context, opts));
}
