import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerBuild } from "./commands/build.ts";
import { registerCheck } from "./commands/check.ts";
import { registerHistory } from "./commands/history.ts";
import { registerImages } from "./commands/images.ts";
import { registerImport } from "./commands/import.ts";
import { registerParse } from "./commands/parse.ts";
import { registerRun } from "./commands/run.ts";
import { ExitCode } from "./exit-codes.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command("strata")
  .description("Strata: a container image build compiler")
  .version(pkg.version, "-v, --version")
  .option("--root <dir>", "store root (default $STRATA_ROOT or /var/lib/strata)")
  .enablePositionalOptions()
  .exitOverride()
  .showHelpAfterError();

registerBuild(program);
registerParse(program);
registerCheck(program);
registerImport(program);
registerImages(program);
registerHistory(program);
registerRun(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    const err = e as Error & { code?: string };
    process.stderr.write(`strata: ${err.message}\n`);
    if (process.env.STRATA_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exitCode = ExitCode.failure;
  }
}
