import type { Command } from "commander";

/** `strata image …`: the group docker has, created once and shared by the commands that add to it. */
export function imageGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === "image") ?? program
      .command("image")
      .description("Manage images")
      .addHelpText("after", "\n`strata image build` and `strata image import` are `strata build` and `strata import`.");
}
