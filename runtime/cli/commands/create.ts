import type { Command } from "commander";
import { createContainer } from "../../container/create.ts";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { containerFlags, createOptions, type RunFlags } from "./run.ts";

/** `create`: a container as `run` would make it, not started (`start [-a]` runs it); prints its ID. */
export function registerCreate(program: Command): void {
  defineTwice(program, "create", "create", (c) =>
    containerFlags(c.description("Create a new container from an image, without starting it").argument("<image>").argument("[command...]"))
      .passThroughOptions()
      .action(async (image: string, command: string[], opts: RunFlags, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          await preflight(store);
          const rec = await createContainer(await createOptions(store, image, command, opts));
          process.stdout.write(`${rec.id}\n`);
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
        }
      }),
  );
}
