import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { commitContainer } from "../../container/commit.ts";
import { findContainer } from "../../container/state.ts";
import { parseName } from "../../store/names.ts";
import { openStore } from "../context.ts";
import { collect } from "../options.ts";
import { StrataError } from "../../errors/error.ts";

interface CommitFlags {
  message?: string;
  author?: string;
  change: string[];
  pause: string;
}

export function registerCommit(program: Command): void {
  defineTwice(program, "commit", "commit", (c) =>
    c
      .description("Create a new image from a container's changes")
      .argument("<container>")
      .argument("[repository[:tag]]")
      .option("-m, --message <message>", "commit message (the history entry's comment)")
      .option("-a, --author <author>", 'author (e.g. "Jane Doe <jane@example.com>")')
      .option("-c, --change <instruction>", "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR); repeatable", collect, [])
      .option("-p, --pause <bool>", "pause the container while committing", "true")
      .action(async (ref: string, name: string | undefined, opts: CommitFlags, cmd: Command) => {
        if (opts.pause !== "true" && opts.pause !== "false") {
          reportError(new StrataError("CONTAINER_USAGE", `invalid --pause ${opts.pause}: give true or false`), CONTAINER_USAGE);
          return;
        }
        try {
          if (name !== undefined) parseName(name);
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          const rec = await findContainer(store, ref);
          const r = await commitContainer(store, rec, { message: opts.message, author: opts.author, changes: opts.change, pause: opts.pause === "true", ref: name });
          process.stdout.write(`${r.imageId}\n`);
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
