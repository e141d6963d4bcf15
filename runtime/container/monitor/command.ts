import { isSea } from "node:sea";
import { MONITOR_WORD } from "./word.ts";

/**
 * How the monitor is started: the strata command itself, with a first word no user types.
 * runtime/cli/main.ts sees it (word.ts) before it registers any command and runs the monitor
 * (monitor/main.ts) instead, so the monitor is whatever strata is (the clone's bundle, the
 * installed package under any Node 22+, the standalone executable) with nothing else to
 * install. `process.execPath` is the Node (or the executable) running strata now; argv[1]
 * the launcher it ran (bin/strata.js), which a standalone executable does not have.
 */
export function monitorCommand(): { file: string; args: string[] } {
  return { file: process.execPath, args: isSea() ? [MONITOR_WORD] : [...process.execArgv.filter((a) => !a.startsWith("--inspect")), process.argv[1] as string, MONITOR_WORD] };
}
