import type { Command } from "commander";
import { importTarball } from "../../image/import.ts";
import { openStore } from "../context.ts";
import { collect, imageReference } from "../options.ts";
import { fromSource } from "../../errors/error.ts";
import { platformValue } from "../build-flags.ts";

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("Import the contents of a root filesystem tarball to create an image")
    .argument("<tarball>", "a tar file (optionally gzip- or zstd-compressed), an http(s) URL, or - for standard input")
    .argument("[name]", "NAME[:TAG] for the image", imageReference("import NAME"))
    .option("-c, --change <instruction>", "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR); repeatable", collect, [])
    .option("-m, --message <message>", "commit message for the imported image")
    .option("--platform <os/arch>", "the platform the tarball's programs are for, written into the config (default: this machine's)", platformValue)
    .action(async (tarball: string, name: string | undefined, opts: { message?: string; change: string[]; platform?: string }, cmd: Command) => {
      const store = await openStore(cmd);
      const r = await importTarball({ store, tarball, name, message: opts.message, changes: opts.change, platform: opts.platform }).catch((e: unknown) => {
        throw fromSource(tarball === "-" ? "standard input" : tarball, e);
      });
      process.stdout.write(`${r.id}\n`);
    });
}
