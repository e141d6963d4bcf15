import type { Command } from "commander";
import { importTarball } from "../../image/import.ts";
import { openStore } from "../context.ts";
import { collect } from "../options.ts";

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("Import the contents of a root filesystem tarball to create an image")
    .argument("<tarball>", "a tar file (optionally gzip- or zstd-compressed), an http(s) URL, or - for standard input")
    .argument("[name]", "NAME[:TAG] for the image")
    .option("-c, --change <instruction>", "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR); repeatable", collect, [])
    .option("-m, --message <message>", "commit message for the imported image")
    .action(async (tarball: string, name: string | undefined, opts: { message?: string; change: string[] }, cmd: Command) => {
      const r = await importTarball({ store: await openStore(cmd), tarball, name, message: opts.message, changes: opts.change });
      process.stdout.write(`${r.id}\n`);
    });
}
