import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { type LogsOptions, printLogs } from "../../container/logs.ts";
import { findContainer } from "../../container/state.ts";
import { openStore } from "../context.ts";
import { logTime } from "../log-time.ts";
import { StrataError } from "../../errors/error.ts";

interface LogsFlags {
  follow?: boolean;
  tail: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

function logsOptions(f: LogsFlags, now: number): LogsOptions {
  let tail: number | undefined;
  if (f.tail !== "all") {
    if (!/^-?\d+$/.test(f.tail)) throw new StrataError("CONTAINER_USAGE", `invalid --tail ${f.tail}: give a number of lines or "all"`);
    tail = Number(f.tail) < 0 ? undefined : Number(f.tail);
  }
  return {
    follow: f.follow ?? false,
    tail,
    since: f.since === undefined ? undefined : logTime("since", f.since, now),
    until: f.until === undefined ? undefined : logTime("until", f.until, now),
    timestamps: f.timestamps ?? false,
  };
}

export function registerLogs(program: Command): void {
  defineTwice(program, "logs", "logs", (c) =>
    c
      .description("Fetch the logs of a container: its stdout to stdout, its stderr to stderr")
      .argument("<container>")
      .option("-f, --follow", "follow log output until the container stops")
      .option("-n, --tail <n>", 'number of lines to show from the end of the logs, or "all"', "all")
      .option("--since <time>", "show logs since a timestamp (2013-01-02T13:23:37Z) or relative (42m for 42 minutes)")
      .option("--until <time>", "show logs before a timestamp (2013-01-02T13:23:37Z) or relative (42m for 42 minutes)")
      .option("-t, --timestamps", "show timestamps")
      .action(async (ref: string, opts: LogsFlags, cmd: Command) => {
        let o: LogsOptions;
        try {
          o = logsOptions(opts, Date.now());
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          await printLogs(store, await findContainer(store, ref), o);
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
