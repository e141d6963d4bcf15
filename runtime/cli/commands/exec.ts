import type { Command } from "commander";
import { readEnvFiles } from "../container-flags/process.ts";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { execInContainer } from "../../container/exec.ts";
import { findContainer } from "../../container/state.ts";
import { openStore } from "../context.ts";
import { collect } from "../options.ts";
import { StrataError } from "../../errors/error.ts";

interface ExecFlags {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  env: string[];
  envFile: string[];
  workdir?: string;
  user?: string;
}

export function registerExec(program: Command): void {
  defineTwice(program, "exec", "exec", (c) =>
    c
      .description("Run a command in a running container")
      .argument("<container>")
      .argument("<command...>")
      .option("-d, --detach", "run the command in the background")
      .option("-i, --interactive", "keep stdin open")
      .option("-t, --tty", "allocate a pseudo-terminal")
      .option("-e, --env <k=v>", "set an environment variable; repeatable", collect, [])
      .option("--env-file <file>", "read environment variables from a file (KEY=VALUE lines); repeatable", collect, [])
      .option("-w, --workdir <dir>", "working directory inside the container")
      .option("-u, --user <user>", "user name or uid[:gid]")
      .passThroughOptions()
      .action(async (ref: string, command: string[], opts: ExecFlags, cmd: Command) => {
        if (opts.interactive && opts.tty && !opts.detach && !process.stdin.isTTY) {
          reportError(new StrataError("CONTAINER_USAGE", "the input device is not a TTY: -it needs a terminal on stdin; drop -t to pipe input"), CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          const rec = await findContainer(store, ref);
          process.exitCode = await execInContainer(store, rec, { command, env: [...(await readEnvFiles(opts.envFile)), ...opts.env], workdir: opts.workdir, user: opts.user, interactive: opts.interactive ?? false, tty: opts.tty ?? false, detach: opts.detach ?? false });
        } catch (e) {
          reportError(e);
        }
      }),
  );
}
