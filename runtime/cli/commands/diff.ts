import type { Command } from "commander";
import { defineTwice, reportError } from "../container-command.ts";
import { containerChanges } from "../../container/diff.ts";
import { findContainer } from "../../container/state.ts";
import { openStore } from "../context.ts";

export function registerDiff(program: Command): void {
  defineTwice(program, "diff", "diff", (c) =>
    c
      .description("List the files a container added (A), changed (C) and deleted (D)")
      .argument("<container>")
      .action(async (ref: string, _opts: unknown, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          const changes = await containerChanges(store, await findContainer(store, ref));
          process.stdout.write(changes.map((ch) => `${ch.kind} ${ch.path}\n`).join(""));
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
