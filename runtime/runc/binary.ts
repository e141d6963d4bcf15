/**
 * Which runc Strata runs: `$STRATA_RUNC` (a path, or a name looked up on PATH) when set, else
 * `runc` on PATH. Every runc process Strata starts (build steps, containers, exec, reclaim)
 * goes through this one name, so the preflight (runtime/preflight/) checks the runc that runs.
 */
export function runcBinary(): string {
  return process.env.STRATA_RUNC || "runc";
}
