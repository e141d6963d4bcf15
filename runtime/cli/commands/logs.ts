import type { Command } from "commander";
import { defineTwice, reportError } from "../container-command.ts";
import { printLogs } from "../../container/logs.ts";
import { findContainer } from "../../container/state.ts";
import { openStore } from "../context.ts";

export function registerLogs(program: Command): void {
  defineTwice(program, "logs", "logs", (c) =>
    c
      .description("Print a container's output (of a detached container)")
      .argument("<container>")
      .option("-f, --follow", "keep printing new output until the container stops")
      .action(async (ref: string, opts: { follow?: boolean }, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          await printLogs(store, await findContainer(store, ref), opts.follow ?? false);
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
