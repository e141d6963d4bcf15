import type { Writable } from "node:stream";
import { type Command, Option } from "commander";
import { type ArchiveFormat, saveImages } from "../../image/save.ts";
import type { Compression } from "../../store/compressed.ts";
import { platformValue } from "../build-flags.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { StrataError } from "../../errors/error.ts";
import { saveToFile } from "../save-to-file.ts";

interface SaveOpts {
  output?: string;
  format: ArchiveFormat;
  compression: Compression;
  platform?: string;
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
      .option("--platform <os/arch>", "of a multi-platform image, save only this platform's image (default: every platform)", platformValue)
      .action(async (images: string[], opts: SaveOpts, cmd: Command) => {
        const store = await openStore(cmd);
        if (!opts.output && process.stdout.isTTY) throw new StrataError("USAGE", "save: refusing to write an archive to a terminal; use -o FILE or redirect standard output");
        const save = (out: Writable) => saveImages({ store, images, format: opts.format, compression: opts.compression, platform: opts.platform, out });
        if (!opts.output) {
          await save(process.stdout);
          return;
        }
        await saveToFile(opts.output, save);
      });
  }
}
