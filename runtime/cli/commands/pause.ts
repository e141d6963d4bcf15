import type { Command } from "commander";
import { defineTwice } from "../container-command.ts";
import { pauseContainer, unpauseContainer } from "../../container/lifecycle.ts";
import { each } from "./lifecycle.ts";

export function registerPause(program: Command): void {
  defineTwice(program, "pause", "pause", (c) =>
    c
      .description("Pause all processes within containers (the cgroup freezer)")
      .argument("<container...>")
      .action(async (refs: string[], _opts: unknown, cmd: Command) => {
        await each(cmd, refs, (store, rec) => pauseContainer(store, rec));
      }),
  );
}

export function registerUnpause(program: Command): void {
  defineTwice(program, "unpause", "unpause", (c) =>
    c
      .description("Unpause all processes within containers")
      .argument("<container...>")
      .action(async (refs: string[], _opts: unknown, cmd: Command) => {
        await each(cmd, refs, (store, rec) => unpauseContainer(store, rec));
      }),
  );
}
