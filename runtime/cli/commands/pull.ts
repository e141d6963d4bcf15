import type { Command } from "commander";
import { StrataError } from "../../errors/error.ts";
import { pullImage } from "../../registry/pull.ts";
import { quietLog } from "../../registry/progress.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { collect, imageReference, insecureRegistries } from "../options.ts";

interface PullOpts {
  platform?: string;
  allPlatforms?: boolean;
  insecureRegistry: string[];
  quiet?: boolean;
}

export function registerPull(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("pull")
      .description("Download an image from a registry")
      .argument("<ref>", "NAME[:TAG|@DIGEST], e.g. localhost:5000/app:1.0", imageReference("pull REF"))
      .option("--platform <os/arch>", "the platform to pick from an image index (default: this machine's); the platforms the name has are kept")
      .option("--all-platforms", "pull every platform of an image index")
      .option("--insecure-registry <host>", "allow plain HTTP to this registry (loopback always may); repeatable", collect, [])
      .option("-q, --quiet", "print only the image name")
      .action(async (ref: string, opts: PullOpts, cmd: Command) => {
        if (opts.allPlatforms && opts.platform !== undefined) throw new StrataError("USAGE", "pull: --all-platforms and --platform cannot be used together");
        const store = await openStore(cmd);
        const r = await pullImage({ store, ref, platform: opts.platform, allPlatforms: opts.allPlatforms ?? false, insecure: insecureRegistries(opts.insecureRegistry), ...(opts.quiet && { log: quietLog }) });
        process.stdout.write(`${opts.quiet ? "" : "Pulled "}${r.name}\n`);
      });
  }
}
