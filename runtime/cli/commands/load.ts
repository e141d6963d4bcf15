import { open } from "node:fs/promises";
import type { Command } from "commander";
import { fromSource } from "../../errors/error.ts";
import { loadArchive } from "../../image/load.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";

export function registerLoad(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("load")
      .description("Load images from a docker-archive or oci-archive tar (optionally compressed), from a file or standard input")
      .option("-i, --input <file>", "read from a file instead of standard input")
      .option("--platform <os/arch>", "the platform to pick from an image index (default: this machine's)")
      .option("-q, --quiet", "print nothing")
      .action(async (opts: { input?: string; platform?: string; quiet?: boolean }, cmd: Command) => {
        const store = await openStore(cmd);
        // Opened first: a missing or unreadable file is an IO error naming it, not a bad archive.
        const input = opts.input ? (await open(opts.input, "r")).createReadStream({ highWaterMark: 1 << 20 }) : process.stdin;
        const loaded = await loadArchive(store, input, opts.platform ? { platform: opts.platform } : {}).catch((e: unknown) => {
          throw fromSource(opts.input ?? "standard input", e);
        });
        if (opts.quiet) return;
        for (const img of loaded) {
          if (img.names.length === 0) process.stdout.write(`Loaded image ID: ${img.id}\n`);
          for (const n of img.names) process.stdout.write(`Loaded image: ${n}\n`);
        }
      });
  }
}
