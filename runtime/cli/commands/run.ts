import type { Command } from "commander";
import { runImageOnce } from "../../container/run.ts";
import { fail, openStore } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { collect } from "../options.ts";


export function registerRun(program: Command): void {
  program
    .command("run")
    .description("Run a command in a new container")
    .argument("<image>")
    .argument("[command...]")
    .option("--rm", "remove the container when it exits")
    .option("-e, --env <k=v>", "set an environment variable; repeatable", collect, [])
    .option("-w, --workdir <dir>", "working directory inside the container")
    .option("-u, --user <user>", "user name or uid[:gid]")
    .option("--entrypoint <cmd>", "overwrite the image's ENTRYPOINT")
    .passThroughOptions()
    .action(async (image: string, command: string[], opts: { rm?: boolean; env: string[]; workdir?: string; user?: string; entrypoint?: string }, cmd: Command) => {
      if (!opts.rm) {
        fail("only `strata run --rm` (foreground, removed on exit) is supported so far", ExitCode.runFailed);
        return;
      }
      try {
        process.exitCode = await runImageOnce({ store: await openStore(cmd), image, command, env: opts.env, workdir: opts.workdir, user: opts.user, entrypoint: opts.entrypoint });
      } catch (e) {
        fail((e as Error).message, ExitCode.runFailed);
      }
    });
}
