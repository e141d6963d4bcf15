import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { runDetached, runForeground } from "../../container/run.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { collect } from "../options.ts";
import { StrataError } from "../../errors/error.ts";
import { addMonitorFlags, type MonitorFlags, monitorOptions } from "../container-flags/monitor.ts";
import { addNetworkFlags, type NetworkFlags, networkOptions } from "../container-flags/network.ts";
import type { CreateOptions } from "../../container/create.ts";
import type { Store } from "../../store/store.ts";

export interface RunFlags extends MonitorFlags, NetworkFlags {
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

/** The flags `run` and `create` share (docker's container options), and what they make of them: CreateOptions. */
export function containerFlags(c: Command): Command {
  return addNetworkFlags(addMonitorFlags(c))
    .option("--rm", "remove the container when it exits")
    .option("--name <name>", "name the container (default: a generated adjective_surname)")
    .option("-e, --env <k=v>", "set an environment variable; repeatable", collect, [])
    .option("-w, --workdir <dir>", "working directory inside the container")
    .option("-u, --user <user>", "user name or uid[:gid]")
    .option("--entrypoint <cmd>", "overwrite the image's ENTRYPOINT")
    .option("-v, --volume <hostdir:dir[:ro]>", "bind mount a host directory; repeatable", collect, [])
    .option("-i, --interactive", "keep stdin open")
    .option("-t, --tty", "allocate a pseudo-terminal");
}

export function createOptions(store: Store, image: string, command: string[], opts: RunFlags): CreateOptions {
  return {
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
    ...monitorOptions(opts, opts.rm ?? false),
    ...networkOptions(opts),
  };
}

export function registerRun(program: Command): void {
  defineTwice(program, "run", "run", (c) =>
    containerFlags(
      c
        .description("Create and run a new container from an image")
        .argument("<image>")
        .argument("[command...]")
        .option("-d, --detach", "run in the background and print the container ID"),
    )
      .passThroughOptions()
      .action(async (image: string, command: string[], opts: RunFlags, cmd: Command) => {
        if (opts.interactive && opts.tty && !opts.detach && !process.stdin.isTTY) {
          reportError(new StrataError("CONTAINER_USAGE", "the input device is not a TTY: -it needs a terminal on stdin; drop -t to pipe input"), CONTAINER_USAGE);
          return;
        }
        try {
          const store = await openStore(cmd);
          await preflight(store);
          const o = createOptions(store, image, command, opts);
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
