import { type Command, Option } from "commander";
import { type ArchiveFormat, saveImages } from "../../image/save.ts";
import type { Compression } from "../../store/compressed.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { StrataError } from "../../errors/error.ts";
import { saveToFile } from "../save-to-file.ts";

interface SaveOpts {
  output?: string;
  format: ArchiveFormat;
  compression: Compression;
}

export function registerSave(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("save")
      .description("Save one or more images to a tar archive (streamed to standard output by default)")
      .argument("<images...>", "NAME[:TAG] or image id")
      .option("-o, --output <file>", "write to a file instead of standard output")
      .addOption(new Option("--format <format>", "archive format").choices(["docker-archive", "oci-archive"]).default("docker-archive"))
      .addOption(new Option("--compression <algo>", "layer compression").choices(["gzip", "zstd"]).default("gzip"))
      .action(async (images: string[], opts: SaveOpts, cmd: Command) => {
        const store = await openStore(cmd);
        if (!opts.output && process.stdout.isTTY) throw new StrataError("USAGE", "save: refusing to write an archive to a terminal; use -o FILE or redirect standard output");
        if (!opts.output) {
          await saveImages({ store, images, format: opts.format, compression: opts.compression, out: process.stdout });
          return;
        }
        await saveToFile(opts.output, (out) => saveImages({ store, images, format: opts.format, compression: opts.compression, out }));
      });
  }
}
