import type { Command } from "commander";
import { renameContainer } from "../../container/rename.ts";
import { findContainer } from "../../container/state.ts";
import { defineTwice } from "../container-command.ts";
import { openStore } from "../context.ts";
import { reportError } from "../report-error.ts";

export function registerRename(program: Command): void {
  defineTwice(program, "rename", "rename", (c) =>
    c
      .description("Rename a container")
      .argument("<container>")
      .argument("<new-name>")
      .action(async (ref: string, newName: string, _opts: unknown, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          await renameContainer(store, await findContainer(store, ref), newName);
        } catch (e) {
          // docker's rename fails with 1 whatever the reason (a taken or invalid name too).
          reportError(e, 1);
        }
      }),
  );
}
