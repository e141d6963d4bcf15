import type { Command } from "commander";
import { openStore } from "../context.ts";
import { imageGroup } from "../image-group.ts";
import { imageReference } from "../options.ts";

export function registerTag(program: Command): void {
  for (const parent of [program, imageGroup(program)]) {
    parent
      .command("tag")
      .description("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
      .argument("<source>", "SOURCE_IMAGE[:TAG] or image id")
      .argument("<target>", "TARGET_IMAGE[:TAG], e.g. localhost:5000/app:1.0", imageReference("tag TARGET_IMAGE"))
      .action(async (source: string, target: string, _opts: unknown, cmd: Command) => {
        const store = await openStore(cmd);
        const img = await store.getImage(source);
        await store.refs.tag(target, img.manifestDescriptor);
      });
  }
}
