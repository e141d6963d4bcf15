/**
 * Test-only fault injection: `STRATA_FAILPOINT=NAME[,NAME…]` makes this process SIGKILL itself
 * when it reaches a point of that name, as a power cut or `kill -9` would stop it there. The
 * battery (specs/reliability/faults.spec.ts) uses it to show each point leaves a store that
 * verifies clean. Unset, each point costs one Set lookup. Not for production use.
 *
 * The points: `download` (halfway through a layer a pull receives), `fsync-rename` (a blob
 * written and fsynced, not yet renamed into blobs/), `rename-tag` (blobs committed, the name
 * not yet written to index.json), `extract` (a layer tar partly unpacked), `run` (a RUN's
 * command has printed its first output), `push` (a layer's first bytes compressed and
 * uploaded), `save` (an archive's first blob written).
 */
export type Failpoint = "download" | "fsync-rename" | "rename-tag" | "extract" | "run" | "push" | "save";

const armed = new Set((process.env.STRATA_FAILPOINT ?? "").split(",").filter((n) => n !== ""));

/** SIGKILLs this process if STRATA_FAILPOINT names `name`. */
export function failpoint(name: Failpoint): void {
  if (armed.size > 0 && armed.has(name)) process.kill(process.pid, "SIGKILL");
}
