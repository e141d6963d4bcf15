import { resolve } from "node:path";
import type { Command } from "commander";
import { exportContainer } from "../../container/export.ts";
import { findContainer } from "../../container/state.ts";
import { StrataError } from "../../errors/error.ts";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";

export function registerExport(program: Command): void {
  defineTwice(program, "export", "export", (c) =>
    c
      .description("Export a container's filesystem as a tar archive (to standard output by default)")
      .argument("<container>")
      .option("-o, --output <file>", "write to a file, instead of standard output")
      .action(async (ref: string, opts: { output?: string }, cmd: Command) => {
        if (opts.output === undefined && process.stdout.isTTY) {
          reportError(new StrataError("CONTAINER_USAGE", "cowardly refusing to save to a terminal. Use the -o flag or redirect"), CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          await preflight(store);
          await exportContainer(store, await findContainer(store, ref), opts.output === undefined ? process.stdout : resolve(opts.output));
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
