/**
 * Exit codes of the strata command. EXIT_CODES below is the one table, printed by
 * `strata help exit-codes` and copied in README.md (specs/reliability/exit-codes.spec.ts checks
 * both, and that every catalogue code's exit is in it); ExitCode names the ones code sets.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  integrity: 3,
  limit: 4,
  runFailed: 125,
  sigint: 130,
  sigterm: 143,
} as const;

/** One row of the exit-code table: the exit code (or "other"), and what it means. */
export interface ExitCodeRow {
  readonly exit: string;
  readonly meaning: string;
}

/** The whole CLI's exit codes, in order (`strata help exit-codes`, README.md). */
export const EXIT_CODES: readonly ExitCodeRow[] = [
  { exit: "0", meaning: "success" },
  { exit: "1", meaning: "the input or a step failed: a Dockerfile or image.ts error (FILE:LINE:COL), a failed RUN (its FILE:LINE and last output), an image or container not found, a file that cannot be read or written (its path); `strata layers`: a --fail-wasted-bytes, --fail-efficiency or --fail-wasted-percent limit crossed (LAYERS_GATE; the report lists the files)" },
  { exit: "2", meaning: "usage or environment: a bad option or argument; a preflight gap before any work (a Node.js older than 22, runc missing or older than 1.1.12, overlayfs unusable on the store's filesystem, more layers than one overlay mount takes)" },
  { exit: "3", meaning: "integrity: bytes do not hash to the digest that names them (a stored blob, a registry's or an archive's), or a document is ambiguous; nothing kept; `system verify` found a problem" },
  { exit: "4", meaning: "a limit was exceeded (a layer's size, ratio or entries, a document's size, a git context's size, files or time); the partial result removed" },
  { exit: "64", meaning: "version / info: a --format template that does not parse (docker's code)" },
  { exit: "125", meaning: "container commands (run, exec, start, ps, …): their own usage error, no such image, or the container could not be started (docker's code)" },
  { exit: "126", meaning: "run / exec: the container's command cannot be executed (docker's code)" },
  { exit: "127", meaning: "run / exec: the container's command is not found (docker's code)" },
  { exit: "130", meaning: "interrupted by SIGINT: the running step or container was stopped and cleaned up" },
  { exit: "143", meaning: "interrupted by SIGTERM: the running step or container was stopped and cleaned up" },
  { exit: "other", meaning: "run passes the container's own exit code through" },
];
