/**
 * `strata convert DOCKERFILE [-o FILE]`: writes the equivalent image.ts (to
 * stdout, or FILE). Exit 1 when the Dockerfile has errors or a word cannot be
 * written as an image.ts string.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatDiagnostic } from "../../../compiler/diagnostics/format.ts";
import { convertDockerfile } from "../../imagets/convert.ts";
import { ExitCode } from "../exit-codes.ts";

export function registerConvert(program: Command): void {
  program
    .command("convert")
    .description("Convert a Dockerfile into an equivalent typed image.ts")
    .argument("[dockerfile]", "the Dockerfile", "Dockerfile")
    .option("-o, --output <file>", "write the image.ts here instead of stdout")
    .action(async (dockerfile: string, opts: { output?: string }) => {
      const result = await convertDockerfile(dockerfile, await readFile(dockerfile, "utf8"));
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d, result.source)}\n`);
      if (result.text === undefined) {
        process.exitCode = ExitCode.failure;
        return;
      }
      if (opts.output === undefined) process.stdout.write(result.text);
      else await writeFile(opts.output, result.text);
    });
}
