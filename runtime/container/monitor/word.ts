/**
 * The first word of a monitor's command line (command.ts), which no user types. A file of its
 * own: cli/main.ts reads it at every start, and command.ts loads node:sea.
 */
export const MONITOR_WORD = "__strata-monitor";
