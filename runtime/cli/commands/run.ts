import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { runDetached, runForeground } from "../../container/run.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { collect } from "../options.ts";
import { StrataError } from "../../errors/error.ts";
import { addNetworkFlags, type NetworkFlags, networkOptions } from "../container-flags/network.ts";

interface RunFlags extends NetworkFlags {
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  volume: string[];
  interactive?: boolean;
  tty?: boolean;
}

export function registerRun(program: Command): void {
  defineTwice(program, "run", "run", (c) =>
    addNetworkFlags(c)
      .description("Create and run a new container from an image")
      .argument("<image>")
      .argument("[command...]")
      .option("-d, --detach", "run in the background and print the container ID")
      .option("--rm", "remove the container when it exits")
      .option("--name <name>", "name the container (default: a generated adjective_surname)")
      .option("-e, --env <k=v>", "set an environment variable; repeatable", collect, [])
      .option("-w, --workdir <dir>", "working directory inside the container")
      .option("-u, --user <user>", "user name or uid[:gid]")
      .option("--entrypoint <cmd>", "overwrite the image's ENTRYPOINT")
      .option("-v, --volume <hostdir:dir[:ro]>", "bind mount a host directory; repeatable", collect, [])
      .option("-i, --interactive", "keep stdin open")
      .option("-t, --tty", "allocate a pseudo-terminal")
      .passThroughOptions()
      .action(async (image: string, command: string[], opts: RunFlags, cmd: Command) => {
        if (opts.interactive && opts.tty && !opts.detach && !process.stdin.isTTY) {
          reportError(new StrataError("CONTAINER_USAGE", "the input device is not a TTY: -it needs a terminal on stdin; drop -t to pipe input"), CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          await preflight(store);
          const o = {
            store,
            image,
            command,
            env: opts.env,
            workdir: opts.workdir,
            user: opts.user,
            entrypoint: opts.entrypoint,
            name: opts.name,
            tty: opts.tty ?? false,
            interactive: opts.interactive ?? false,
            volumes: opts.volume,
            autoRemove: opts.rm ?? false,
            ...networkOptions(opts),
          };
          if (opts.detach) {
            const rec = await runDetached(o);
            process.stdout.write(`${rec.id}\n`);
          } else {
            process.exitCode = await runForeground(o);
          }
        } catch (e) {
          reportError(e, CONTAINER_USAGE);
        }
      }),
  );
}
