import type { Command } from "commander";
import { defineTwice } from "../container-command.ts";
import { restartContainer } from "../../container/lifecycle.ts";
import { stopCommand } from "./lifecycle.ts";

export function registerRestart(program: Command): void {
  defineTwice(program, "restart", "restart", (c) => stopCommand(c, "Restart containers: stop them as `stop` does (also ones not running), then start them again", restartContainer, true));
}
