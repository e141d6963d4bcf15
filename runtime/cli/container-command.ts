import type { Command, CommanderError } from "commander";
import { ImageNotFoundError } from "../store/store.ts";
import { ContainerUsageError } from "../container/create.ts";
import { ContainerStateError } from "../container/lifecycle.ts";
import { NameInUseError, NoSuchContainerError } from "../container/state.ts";
import { StartError } from "../container/start.ts";

/** docker's exit code for its own errors (usage, daemon) in container commands. */
export const CONTAINER_USAGE = 125;

/** `strata container …`: the group docker has, created once and shared by the container commands. */
export function containerGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === "container") ?? program.command("container").description("Manage containers");
}

/**
 * Defines a container command twice, as docker does: `strata NAME` and
 * `strata container ALIAS`. Usage errors exit 125 (docker's convention for
 * these commands) instead of strata's 2.
 */
export function defineTwice(program: Command, name: string, groupName: string, define: (c: Command) => void, aliases: readonly string[] = []): void {
  const top = program.command(name);
  const sub = containerGroup(program).command(groupName);
  for (const a of aliases) sub.alias(a);
  for (const c of [top, sub]) {
    define(c);
    c.exitOverride((err: CommanderError) => {
      if (err.exitCode === 0) throw err;
      process.exit(CONTAINER_USAGE);
    });
  }
}

/** Prints an error of a container command the way strata does, with docker's exit codes. */
export function reportError(e: unknown, fallbackCode = 1): void {
  const err = e as Error;
  let code = fallbackCode;
  if (err instanceof StartError) code = err.exitCode;
  else if (err instanceof ContainerUsageError || err instanceof NameInUseError || err instanceof ImageNotFoundError) code = CONTAINER_USAGE;
  else if (err instanceof NoSuchContainerError || err instanceof ContainerStateError) code = 1;
  process.stderr.write(`strata: ${err.message}\n`);
  if (process.env.STRATA_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exitCode = code;
}
