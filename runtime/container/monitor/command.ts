import { isSea } from "node:sea";

/**
 * How the monitor is started: the strata command itself, with a first word no user types.
 * runtime/cli/main.ts sees it before it registers any command and runs the monitor
 * (monitor/main.ts) instead, so the monitor is whatever strata is (the clone's bundle, the
 * installed package under any Node 22+, the standalone executable) with nothing else to
 * install. `process.execPath` is the Node (or the executable) running strata now; argv[1]
 * the launcher it ran (bin/strata.js), which a standalone executable does not have.
 */
export const MONITOR_WORD = "__strata-monitor";

export function monitorCommand(): { file: string; args: string[] } {
  return { file: process.execPath, args: isSea() ? [MONITOR_WORD] : [...process.execArgv.filter((a) => !a.startsWith("--inspect")), process.argv[1] as string, MONITOR_WORD] };
}
