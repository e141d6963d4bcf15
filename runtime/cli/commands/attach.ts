import type { Command } from "commander";
import { attachContainer } from "../../container/attach.ts";
import { ContainerStateError } from "../../container/lifecycle.ts";
import { findContainer } from "../../container/state.ts";
import { containerStatus, isRunning } from "../../container/status.ts";
import { defineTwice, reportError } from "../container-command.ts";
import { openStore } from "../context.ts";

interface AttachFlags {
  stdin: boolean;
  sigProxy: boolean;
}

export function registerAttach(program: Command): void {
  defineTwice(program, "attach", "attach", (c) =>
    c
      .description("Attach local standard input and output to a running container (its output from now on; exit code its own)")
      .argument("<container>")
      .option("--no-stdin", "do not attach standard input")
      .option("--no-sig-proxy", "do not pass SIGINT and SIGTERM on to the container")
      .action(async (ref: string, opts: AttachFlags, cmd: Command) => {
        try {
          const store = await openStore(cmd);
          const rec = await findContainer(store, ref);
          if (!isRunning(await containerStatus(store, rec))) throw new ContainerStateError("You cannot attach to a stopped container, start it first");
          process.exitCode = await attachContainer(store, rec, { stdin: opts.stdin, sigProxy: opts.sigProxy });
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
