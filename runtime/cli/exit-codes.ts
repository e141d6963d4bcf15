/**
 * Exit codes of the strata command (documented in README.md):
 *  0    success
 *  1    the work failed: a Dockerfile error, a failed build step, an image not found
 *  2    usage or environment: an unknown option or missing argument; a host that cannot run
 *       the work (runc missing or too old, no overlay support for the store's filesystem)
 *  3    integrity: bytes do not hash to the digest that names them (a stored blob, a registry's
 *       or an archive's), or a document is ambiguous
 *  4    a limit was exceeded (a layer's size, ratio or entries, a document's size); nothing kept
 *  125  `strata run`: the container could not be started (docker's code)
 *  130  interrupted by SIGINT; 143 by SIGTERM
 *  other: `strata run` passes the container's own exit code through
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
