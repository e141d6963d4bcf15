import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { runDetached, runForeground } from "../../container/run.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { collect, insecureRegistries } from "../options.ts";
import { StrataError } from "../../errors/error.ts";
import { ensureImage } from "../../container/pull-policy.ts";
import { platformValue } from "../build-flags.ts";
import type { CreateOptions } from "../../container/create.ts";
import type { Store } from "../../store/store.ts";
import { addLimitFlags, type LimitFlags, limitHostConfig } from "../container-flags/limits.ts";
import { addMonitorFlags, type MonitorFlags, monitorOptions } from "../container-flags/monitor.ts";
import { addMountFlags, type MountFlags, mountHostConfig } from "../container-flags/mounts.ts";
import { addNetworkFlags, type NetworkFlags, networkOptions } from "../container-flags/network.ts";
import { addProcessFlags, type ProcessFlags, processOptions } from "../container-flags/process.ts";
import { addSecurityFlags, type SecurityFlags, securityHostConfig } from "../container-flags/security.ts";

export interface RunFlags extends MonitorFlags, NetworkFlags, LimitFlags, MountFlags, ProcessFlags, SecurityFlags {
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

/** The flags `run` and `create` share (docker's container options), each part's from its own file in container-flags/. */
export function containerFlags(c: Command): Command {
  return [addMonitorFlags, addNetworkFlags, addLimitFlags, addMountFlags, addProcessFlags, addSecurityFlags]
    .reduce((cmd, add) => add(cmd), c)
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

/** What `run` and `create` make of those flags, every value checked; the image pulled as --pull says (default: when missing). */
export async function createOptions(store: Store, image: string, command: string[], opts: RunFlags): Promise<CreateOptions> {
  const proc = await processOptions(opts, opts.detach ?? false);
  const hostConfig = { ...limitHostConfig(opts), ...mountHostConfig(opts), ...(await securityHostConfig(opts)), ...proc.hostConfig };
  const monitor = monitorOptions(opts, opts.rm ?? false);
  const network = networkOptions(opts);
  const platform = proc.platform === undefined ? undefined : platformValue(proc.platform);
  await ensureImage({ store, ref: image, pull: proc.pull, platform, insecure: insecureRegistries(undefined) });
  return {
    store,
    image,
    command,
    env: [...proc.env, ...opts.env],
    workdir: opts.workdir,
    user: opts.user,
    entrypoint: opts.entrypoint,
    name: opts.name,
    tty: opts.tty ?? false,
    interactive: opts.interactive ?? false,
    volumes: opts.volume,
    autoRemove: opts.rm ?? false,
    hostConfig,
    labels: proc.labels,
    attach: proc.attach,
    warn: (m: string) => process.stderr.write(`WARNING: ${m}\n`),
    platform,
    ...monitor,
    ...network,
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
          const o = await createOptions(store, image, command, opts);
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
