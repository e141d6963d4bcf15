import type { RunCommand } from "../../../compiler/ir/graph.ts";

/** Quotes one word for a POSIX shell. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The argv that runs a merged layer's RUNs in one container (see
 * compiler/passes/merge-runs.ts). A small driver script in the image's own
 * POSIX shell starts each original RUN as a child process with exactly its
 * own argv, fd 3 closed; so nothing a RUN does to its shell leaks into the
 * next, and each starts in the working directory. When one fails, the driver
 * writes its index to fd 3 (where the executor reads it) and exits with its
 * code, running nothing after it.
 */
export function mergedArgv(commands: readonly RunCommand[]): string[] {
  const shell = commands[0]?.args[0] ?? "/bin/sh";
  const lines = commands.map((c, i) => `(exec ${c.args.map(shQuote).join(" ")} 3>&-) || { rc=$?; echo ${i} >&3; exit $rc; }`);
  return [shell, "-c", lines.join("\n"), "strata-merged-run"];
}

/** Parses what the driver wrote to fd 3: the index of the failed RUN. */
export function failedIndex(report: string): number | undefined {
  const n = Number.parseInt(report.trim(), 10);
  return Number.isInteger(n) ? n : undefined;
}
