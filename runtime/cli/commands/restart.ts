import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { restartContainer, type StopOptions } from "../../container/lifecycle.ts";
import { each, stopOptions } from "./lifecycle.ts";

export function registerRestart(program: Command): void {
  defineTwice(program, "restart", "restart", (c) =>
    c
      .description("Restart containers: stop them as `stop` does (also ones not running), then start them again")
      .argument("<container...>")
      .option("-s, --signal <signal>", "signal to send to the container")
      .option("-t, --time <seconds>", "seconds to wait before killing the container (default: its --stop-timeout, else 10)")
      .action(async (refs: string[], opts: { time?: string; signal?: string }, cmd: Command) => {
        let o: StopOptions;
        try {
          o = stopOptions(opts);
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
          process.exitCode = CONTAINER_USAGE;
          return;
        }
        await each(cmd, refs, (store, rec) => restartContainer(store, rec, o), true);
      }),
  );
}
