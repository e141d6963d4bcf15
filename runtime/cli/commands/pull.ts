import type { Command } from "commander";
import { pullImage } from "../../registry/pull.ts";
import { quietLog } from "../../registry/progress.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { collect, imageReference, insecureRegistries } from "../options.ts";

export function registerPull(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("pull")
      .description("Download an image from a registry")
      .argument("<ref>", "NAME[:TAG|@DIGEST], e.g. localhost:5000/app:1.0", imageReference("pull REF"))
      .option("--platform <os/arch>", "the platform to pick from an image index (default: this machine's)")
      .option("--insecure-registry <host>", "allow plain HTTP to this registry (loopback always may); repeatable", collect, [])
      .option("-q, --quiet", "print only the image name")
      .action(async (ref: string, opts: { platform?: string; insecureRegistry: string[]; quiet?: boolean }, cmd: Command) => {
        const store = await openStore(cmd);
        const r = await pullImage({ store, ref, platform: opts.platform, insecure: insecureRegistries(opts.insecureRegistry), ...(opts.quiet && { log: quietLog }) });
        process.stdout.write(`${opts.quiet ? "" : "Pulled "}${r.name}\n`);
      });
  }
}
