/**
 * Exit codes of the strata command (documented in README.md):
 *  0    success
 *  1    the work failed: a Dockerfile error, a failed build step, an image not found
 *  2    usage error (unknown option, missing argument)
 *  125  `strata run`: the container could not be started (docker's code)
 *  130  interrupted by SIGINT; 143 by SIGTERM
 *  other: `strata run` passes the container's own exit code through
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  runFailed: 125,
  sigint: 130,
  sigterm: 143,
} as const;
