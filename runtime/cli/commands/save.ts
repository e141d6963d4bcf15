import { rmSync } from "node:fs";
import { type FileHandle, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { type Command, Option } from "commander";
import { type ArchiveFormat, saveImages } from "../../image/save.ts";
import type { Compression } from "../../store/compressed.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { StrataError } from "../../errors/error.ts";
import { ownerAlive } from "../../fs/owner.ts";

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

/**
 * Writes `output` through a temp file beside it (`<name>.strata-<pid>.tmp`), renamed into place
 * when complete. A folder that is missing or not writable fails before any work, naming
 * `output`. SIGINT/SIGTERM remove the temp file; one that a killed save left is removed by the
 * next save to the same file.
 */
export async function saveToFile(output: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const prefix = `${basename(output)}.strata-`;
  for (const name of await readdir(dirname(output)).catch(() => [] as string[])) {
    const pid = name.startsWith(prefix) && name.endsWith(".tmp") ? Number(name.slice(prefix.length, -".tmp".length)) : Number.NaN;
    if (Number.isInteger(pid) && !ownerAlive(String(pid))) await rm(join(dirname(output), name), { force: true });
  }
  const tmp = `${output}.strata-${process.pid}.tmp`;
  let fh: FileHandle;
  try {
    fh = await open(tmp, "wx", 0o644);
  } catch (e) {
    throw Object.assign(e as Error, { path: output });
  }
  const onSignal = (sig: NodeJS.Signals): void => {
    rmSync(tmp, { force: true });
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await write(fh.createWriteStream());
    await rename(tmp, output);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
  }
}
