import type { Command } from "commander";
import { StrataError } from "../../errors/error.ts";
import { parseName } from "../../store/names.ts";
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
        // docker's daemon: a tag names a repository and a tag; a digest is the registry's to give.
        if (parseName(target).digest !== undefined) throw new StrataError("USAGE", "refusing to create a tag with a digest reference");
        const store = await openStore(cmd);
        const img = await store.getImage(source);
        await store.refs.tag(target, img.top);
      });
  }
}
