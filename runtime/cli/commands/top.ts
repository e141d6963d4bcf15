import type { Command } from "commander";
import { containerTop } from "../../container/top.ts";
import { findContainer } from "../../container/state.ts";
import { defineTwice, reportError } from "../container-command.ts";
import { openStore } from "../context.ts";
import { tabwrite } from "../go-template/tabwriter.ts";

export function registerTop(program: Command): void {
  defineTwice(program, "top", "top", (c) =>
    c
      .description("Display the running processes of a container (ps options after the name; default -ef)")
      .usage("[options] CONTAINER [ps OPTIONS]")
      .argument("<container>")
      .argument("[ps-options...]")
      .passThroughOptions()
      .allowUnknownOption()
      .action(async (ref: string, psArgs: string[], _opts: unknown, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          const list = await containerTop(store, await findContainer(store, ref), psArgs);
          // docker's top: a tabwriter of minimal width 20, padding 3.
          const lines = [list.titles, ...list.processes].map((cells) => cells.join("\t"));
          process.stdout.write(`${tabwrite(lines.join("\n"), { minWidth: 20, padding: 3 })}\n`);
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
