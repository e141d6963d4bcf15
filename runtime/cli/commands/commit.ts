import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { commitContainer } from "../../container/commit.ts";
import { findContainer } from "../../container/state.ts";
import { parseName } from "../../store/names.ts";
import { openStore } from "../context.ts";
import { collect } from "../options.ts";

interface CommitFlags {
  message?: string;
  author?: string;
  change: string[];
  pause: boolean;
}

/** Go's bool flag forms docker takes, `--pause=false` and `-p=true`, as commander's `--no-pause` and `--pause`. */
function goBoolPause(args: string[]): string[] {
  return args.map((a) => {
    const m = /^(?:--pause|-p)=(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.exec(a);
    if (m === null) return a;
    return ["true", "1", "t", "TRUE", "True"].includes(m[1] as string) ? "--pause" : "--no-pause";
  });
}

export function registerCommit(program: Command): void {
  defineTwice(program, "commit", "commit", (c) => {
    const parse = c.parseOptions.bind(c);
    c.parseOptions = (argv: string[]) => parse(goBoolPause(argv));
    return c
      .description("Create a new image from a container's changes")
      .argument("<container>")
      .argument("[repository[:tag]]")
      .option("-m, --message <message>", "commit message (the history entry's comment)")
      .option("-a, --author <author>", 'author (e.g. "Jane Doe <jane@example.com>")')
      .option("-c, --change <instruction>", "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR); repeatable", collect, [])
      .option("-p, --pause", "pause the container while committing (the default; --pause=false or --no-pause to not)", true)
      .option("--no-pause", "do not pause the container while committing")
      .action(async (ref: string, name: string | undefined, opts: CommitFlags, cmd: Command) => {
        try {
          if (name !== undefined) parseName(name);
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          const rec = await findContainer(store, ref);
          const r = await commitContainer(store, rec, { message: opts.message, author: opts.author, changes: opts.change, pause: opts.pause, ref: name });
          process.stdout.write(`${r.imageId}\n`);
        } catch (e) {
          reportError(e);
        }
      });
  });
}
