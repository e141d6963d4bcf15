import type { Command } from "commander";
import { tabwrite } from "../go-template/tabwriter.ts";

const table = (rows: readonly (readonly string[])[]): string => tabwrite(rows.map((r) => r.join("\t")).join("\n"));

/**
 * `strata help [COMMAND]` as commander's own help command, plus
 * `strata help errors [CODE]`: the catalogue of every code the CLI can print
 * (compiler diagnostics, lint rules, runtime errors) with its exit code, and
 * `strata help exit-codes`: the exit codes of the whole CLI (cli/exit-codes.ts).
 */
export function registerHelp(program: Command): void {
  program.helpCommand(false);
  program
    .command("help")
    .description("Show help for a command; `help errors [CODE]`: every error code with its exit code; `help exit-codes`: what each exit code means")
    .argument("[topic]", "a command, errors or exit-codes")
    .argument("[code]", "with errors: one code")
    .action(async (topic: string | undefined, code: string | undefined) => {
      if (topic === "exit-codes") {
        const { EXIT_CODES } = await import("../exit-codes.ts");
        process.stdout.write(`${table([["EXIT", "MEANING"], ...EXIT_CODES.map((r) => [r.exit, r.meaning])])}\n`);
        return;
      }
      if (topic !== "errors") {
        const cmd = topic === undefined ? undefined : program.commands.find((c) => c.name() === topic || c.aliases().includes(topic));
        (cmd ?? program).outputHelp();
        return;
      }
      const { listCodes } = await import("../../errors/listing.ts");
      const codes = listCodes().filter((c) => code === undefined || c.code.toLowerCase() === code.toLowerCase());
      if (code !== undefined && codes.length === 0) {
        const { StrataError } = await import("../../errors/error.ts");
        throw new StrataError("USAGE", `no error code ${code} in the catalogue (strata help errors lists them all)`);
      }
      process.stdout.write(`${table([["CODE", "EXIT", "AREA", "MEANING"], ...codes.map((c) => [c.code, String(c.exit), c.area, c.summary])])}\n`);
    });
}
