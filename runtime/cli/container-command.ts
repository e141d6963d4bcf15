import type { Command, CommanderError } from "commander";
import { describeError, printReported } from "./report-error.ts";

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

/** Codes a container command ends with docker's 125 for: its own errors, before any container runs. */
const USAGE_CODES = new Set(["USAGE", "CONTAINER_USAGE", "NAME_IN_USE", "IMAGE_NOT_FOUND", "INVALID_REFERENCE"]);

/**
 * Prints an error of a container command the way every command does
 * (report-error.ts), with docker's exit codes: 125 for the command's own
 * errors, 126/127 when the container's command cannot run, 2 for a gap the
 * preflight found (runc, overlay, layer depth), 1 for a missing
 * or unsuitable container, else `fallbackCode`.
 */
export function reportError(e: unknown, fallbackCode = 1): void {
  const r = describeError(e);
  let exit = fallbackCode;
  // The container's own start failures keep docker's 126/127; the preflight's gaps their 2.
  if (r.code.startsWith("START_") || r.code.startsWith("ENV_")) exit = r.exit;
  else if (USAGE_CODES.has(r.code)) exit = CONTAINER_USAGE;
  else if (r.code === "NO_SUCH_CONTAINER" || r.code === "CONTAINER_STATE") exit = 1;
  printReported(r, e, exit);
}
