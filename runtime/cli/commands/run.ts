import type { Command } from "commander";
import { CONTAINER_USAGE, defineTwice, reportError } from "../container-command.ts";
import { runDetached, runForeground } from "../../container/run.ts";
import { openStore } from "../context.ts";
import { preflight } from "../preflight.ts";
import { collect } from "../options.ts";
import { StrataError } from "../../errors/error.ts";
import { ensureImage } from "../../container/pull-policy.ts";
import { insecureRegistries } from "../options.ts";
import { addLimitFlags, type LimitFlags, limitHostConfig } from "../container-flags/limits.ts";
import { addMountFlags, type MountFlags, mountHostConfig } from "../container-flags/mounts.ts";
import { addProcessFlags, type ProcessFlags, processOptions } from "../container-flags/process.ts";
import { addSecurityFlags, type SecurityFlags, securityHostConfig } from "../container-flags/security.ts";

interface RunFlags extends LimitFlags, MountFlags, ProcessFlags, SecurityFlags {
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
    [addLimitFlags, addMountFlags, addProcessFlags, addSecurityFlags]
      .reduce((cmd, add) => add(cmd), c)
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
          const proc = await processOptions(opts, opts.detach ?? false);
          const hostConfig = { ...limitHostConfig(opts), ...mountHostConfig(opts), ...(await securityHostConfig(opts)), ...proc.hostConfig };
          const store = await openStore(cmd);
          await preflight(store);
          await ensureImage({ store, ref: image, pull: proc.pull, platform: proc.platform, insecure: insecureRegistries(undefined) });
          const o = {
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
