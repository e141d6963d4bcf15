/**
 * `strata check [-f FILE | FILE...] [--format text|json] [--build-arg K=V]`:
 * parses each Dockerfile (default ./Dockerfile), reads the .dockerignore
 * beside it (`<file>.dockerignore`, else `.dockerignore` in its directory),
 * and prints the parse diagnostics and the lint findings, sorted by position.
 * An image.ts is type-checked, evaluated and lowered, and the same rules run
 * on its builder calls (runtime/imagets/check.ts).
 *
 * Exit code: 0 when no file has an error, 1 when one has (a parse error, an
 * unreadable file, or a warning under `# check=error=true`).
 *
 * The parser's own "empty continuation line" warning (DF010) is left out: the
 * NoEmptyContinuation rule reports the same line, and `# check=skip=` applies
 * to it.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Command, Option } from "commander";
import { parseDockerfile } from "../../../compiler/dockerfile/parse.ts";
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import { clip, formatDiagnostic, MESSAGE_MAX } from "../../../compiler/diagnostics/format.ts";
import { lintDockerfile } from "../../../compiler/lint/lint.ts";
import { ruleByName } from "../../../compiler/lint/rules.ts";
import { SourceFile } from "../../../compiler/source/source-file.ts";
import { isImageTs } from "../../imagets/detect.ts";
import { ExitCode } from "../exit-codes.ts";
import { collect, parseBuildArgs } from "../options.ts";

export interface CheckOptions {
  readonly format: "text" | "json";
  /** --build-arg values; BUILDKIT_DOCKERFILE_CHECK overrides the `# check=` directive. */
  readonly buildArgs?: Readonly<Record<string, string>> | undefined;
}

export interface CheckOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** One diagnostic in `--format json`; lines and columns are 1-based, the end exclusive. */
export interface JsonDiagnostic {
  readonly file: string;
  readonly code: string;
  readonly severity: Diagnostic["severity"];
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly hint?: string;
  readonly url?: string;
}

interface FileReport {
  readonly source: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  readonly failed: boolean;
  readonly errorOnWarnings: boolean;
}

async function readLines(paths: readonly string[]): Promise<string[] | undefined> {
  for (const p of paths) {
    try {
      return (await readFile(p, "utf8")).split(/\r?\n/);
    } catch {
      // try the next one
    }
  }
  return undefined;
}

async function checkFile(path: string, options: CheckOptions): Promise<FileReport> {
  const dockerignore = await readLines([`${path}.dockerignore`, join(dirname(path), ".dockerignore")]);
  if (isImageTs(path)) {
    const { checkImageTs } = await import("../../imagets/check.ts");
    const r = await checkImageTs(path, { dockerignore, buildArgs: options.buildArgs });
    const failed = r.diagnostics.some((d) => d.severity === "error" || (r.errorOnWarnings && d.severity === "warning"));
    return { source: r.source, diagnostics: r.diagnostics, failed, errorOnWarnings: r.errorOnWarnings };
  }
  const text = await readFile(path, "utf8");
  const source = new SourceFile(path, text);
  const parsed = parseDockerfile(source);
  const lint = lintDockerfile(source, parsed, { dockerignore, buildArgs: options.buildArgs });
  const diagnostics = [...parsed.diagnostics.filter((d) => d.code !== "DF010"), ...lint.diagnostics].sort(
    (a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code),
  );
  const failed = diagnostics.some((d) => d.severity === "error" || (lint.errorOnWarnings && d.severity === "warning"));
  return { source, diagnostics, failed, errorOnWarnings: lint.errorOnWarnings };
}

function toJson(d: Diagnostic, source: SourceFile): JsonDiagnostic {
  const start = source.lineCol(d.span.start);
  const end = source.lineCol(Math.max(d.span.start, d.span.end));
  const url = ruleByName(d.code)?.url;
  return {
    file: d.file,
    code: d.code,
    severity: d.severity,
    message: clip(d.message, MESSAGE_MAX),
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
    ...(url === undefined ? {} : { url }),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function summary(r: FileReport): string {
  const count = (s: Diagnostic["severity"]): number => r.diagnostics.filter((d) => d.severity === s).length;
  const parts = [plural(count("error"), "error"), plural(count("warning"), "warning")];
  const info = count("info");
  if (info > 0) parts.push(`${info} info`);
  return `${r.source.name}: ${parts.join(", ")}${r.errorOnWarnings ? " (check=error=true: warnings fail the check)" : ""}`;
}

/** Checks the files and writes the report; returns the exit code. */
export async function runCheck(files: readonly string[], options: CheckOptions, out: CheckOutput): Promise<number> {
  const paths = files.length === 0 ? ["Dockerfile"] : files;
  const reports: FileReport[] = [];
  let failed = false;
  for (const p of paths) {
    try {
      reports.push(await checkFile(p, options));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      out.stderr(`strata: error[FILE_UNREADABLE]: cannot read ${p}: ${err.code === "ENOENT" ? "no such file" : err.message}\n`);
      failed = true;
    }
  }
  if (options.format === "json") {
    out.stdout(`${JSON.stringify(reports.flatMap((r) => r.diagnostics.map((d) => toJson(d, r.source))), null, 2)}\n`);
  } else {
    for (const r of reports) {
      for (const d of r.diagnostics) {
        const url = ruleByName(d.code)?.url;
        out.stdout(`${formatDiagnostic(d, r.source)}${url === undefined ? "" : `\nsee ${url}`}\n\n`);
      }
      out.stdout(`${summary(r)}\n`);
    }
  }
  if (reports.some((r) => r.failed)) failed = true;
  return failed ? ExitCode.failure : ExitCode.ok;
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("Check Dockerfiles: BuildKit's build checks and Strata's own rules")
    .argument("[files...]", "Dockerfiles to check (default ./Dockerfile)")
    .option("-f, --file <path>", "the Dockerfile to check")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--build-arg <key=value>", "a build argument (BUILDKIT_DOCKERFILE_CHECK=skip=…;error=true overrides # check=)", collect, [] as string[])
    .action(async (files: string[], opts: { file?: string; format: "text" | "json"; buildArg: string[] }) => {
      const all = opts.file === undefined ? files : [opts.file, ...files];
      process.exitCode = await runCheck(all, { format: opts.format, buildArgs: parseBuildArgs(opts.buildArg) }, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    });
}
