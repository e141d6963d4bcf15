import type { Command } from "commander";
import { importTarball } from "../../image/import.ts";
import { openStore } from "../context.ts";

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("Import the contents of a root filesystem tarball to create an image")
    .argument("<tarball>", "a tar file (optionally gzip-compressed), or - for standard input")
    .argument("[name]", "NAME[:TAG] for the image")
    .option("-m, --message <message>", "commit message for the imported image")
    .action(async (tarball: string, name: string | undefined, opts: { message?: string }, cmd: Command) => {
      const r = await importTarball({ store: await openStore(cmd), tarball, name, message: opts.message });
      process.stdout.write(`${r.id}\n`);
    });
}
