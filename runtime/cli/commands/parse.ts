/**
 * `strata parse FILE... [--format json|sexp]`: parses Dockerfiles and prints
 * the AST (json) or BuildKit's AST dump (sexp). With several files each output
 * is preceded by `==> FILE <==`. A file with errors prints its diagnostics to
 * stderr and the command exits 1 after the other files are done.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { hasErrors } from "../../../compiler/diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { parseDockerfile } from "../../../compiler/dockerfile/parse.ts";
import { dumpSexp } from "../../../compiler/dockerfile/sexp.ts";
import { SourceFile } from "../../../compiler/source/source-file.ts";

type Format = "json" | "sexp";

async function parseOne(file: string, format: Format, header: boolean): Promise<boolean> {
  if (header) process.stdout.write(`==> ${file} <==\n`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    process.stderr.write(`strata: error[FILE_UNREADABLE]: cannot read ${file}: ${(e as Error).message}\n`);
    return false;
  }
  const source = new SourceFile(file, text);
  const result = parseDockerfile(source);
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d, source)}\n`);
  // Errors of the generic parse (DF002–DF019) mean BuildKit rejects the file: no AST to print.
  // Errors of typed instructions (unknown instruction, bad flag) leave a complete AST.
  const syntax = result.diagnostics.some((d) => d.severity === "error" && d.code < "DF020" && d.code !== "DF001");
  if (!syntax) process.stdout.write(format === "sexp" ? dumpSexp(result.ast) : `${JSON.stringify(result.ast, null, 2)}\n`);
  return !hasErrors(result.diagnostics);
}

export function registerParse(program: Command): void {
  program
    .command("parse")
    .description("parse Dockerfiles and print their AST")
    .argument("<files...>", "Dockerfiles to parse")
    .option("--format <format>", "json (the AST) or sexp (BuildKit's AST dump)", "json")
    .action(async (files: string[], opts: { format: string }) => {
      if (opts.format !== "json" && opts.format !== "sexp") {
        process.stderr.write(`strata: error[USAGE]: --format must be json or sexp, not "${opts.format}"\n`);
        process.exitCode = 1;
        return;
      }
      let failed = false;
      for (const f of files) {
        if (!(await parseOne(f, opts.format, files.length > 1))) failed = true;
      }
      if (failed) process.exitCode = 1;
    });
}
