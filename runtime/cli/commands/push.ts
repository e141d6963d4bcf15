import { type Command, Option } from "commander";
import { quietLog } from "../../registry/progress.ts";
import { pushImage } from "../../registry/push.ts";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { collect, imageReference, insecureRegistries } from "../options.ts";

interface PushOpts {
  insecureRegistry: string[];
  compression: "gzip" | "zstd";
  chunkSize?: string;
  format: "oci" | "docker";
  quiet?: boolean;
}

export function registerPush(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("push")
      .description("Upload an image to a registry")
      .argument("<image>", "NAME[:TAG] of a local image, e.g. localhost:5000/app:1.0", imageReference("push IMAGE"))
      .argument("[destination]", "push to this reference instead of the image's own name", imageReference("push DESTINATION"))
      .option("--insecure-registry <host>", "allow plain HTTP to this registry (loopback always may); repeatable", collect, [])
      .addOption(new Option("--compression <algo>", "layer compression").choices(["gzip", "zstd"]).default("gzip"))
      .addOption(new Option("--format <format>", "manifest media types").choices(["oci", "docker"]).default("oci"))
      .option("--chunk-size <bytes>", "upload blobs in chunks of this size (default: one request per blob)")
      .option("-q, --quiet", "no progress lines")
      .action(async (image: string, destination: string | undefined, opts: PushOpts, cmd: Command) => {
        const store = await openStore(cmd);
        const r = await pushImage({
          store,
          source: image,
          dest: destination,
          insecure: insecureRegistries(opts.insecureRegistry),
          compression: opts.compression,
          docker: opts.format === "docker",
          chunkSize: opts.chunkSize ? Number(opts.chunkSize) : undefined,
          ...(opts.quiet && { log: quietLog }),
        });
        process.stdout.write(`${r.name}@${r.digest}\n`);
      });
  }
}
