import type { Command } from "commander";
import { defineTwice, reportError } from "../container-command.ts";
import { waitContainer } from "../../container/lifecycle.ts";
import { findContainer } from "../../container/state.ts";
import { openStore } from "../context.ts";

export function registerWait(program: Command): void {
  defineTwice(program, "wait", "wait", (c) =>
    c
      .description("Block until containers stop, then print their exit codes")
      .argument("<container...>")
      .action(async (refs: string[], _opts: unknown, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          for (const ref of refs) {
            try {
              process.stdout.write(`${await waitContainer(store, await findContainer(store, ref))}\n`);
            } catch (e) {
              reportError(e);
            }
          }
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
