/**
 * The preflight a build, `run` and `start` pass before any work (issue 15, item 5): runc is
 * there and fixed for CVE-2024-21626 (runc/version-check.ts), and the store has a snapshotter
 * (snapshot/select.ts: kernel overlayfs when its probe passes on the store's filesystem,
 * snapshot/overlay-probe.ts, else fuse-overlayfs, else the copying one, so only a forced
 * STRATA_SNAPSHOTTER this host cannot use is refused). A process without CAP_SYS_ADMIN (a container
 * started without it: rootless podman's default) can mount nothing and make no namespace for runc:
 * no snapshotter helps, so it is refused first, in one line naming the option that gives it
 * (ENV_SANDBOX, fs/confinement.ts). Each check runs once per process, and a
 * pass is recorded in the store (runc-ok, overlay-ok), so a later command only reads it. A gap is a StrataError with exit 2 naming
 * it. The layer depth a container needs is checked where its layers are known
 * (container/create.ts, and engine/plan/checks.ts for build stages).
 */
import { checkRunc } from "../runc/version-check.ts";
import { StrataError } from "../errors/error.ts";
import { holdsSysAdmin, sandboxHint } from "../fs/confinement.ts";
import { snapshotterName } from "../snapshot/select.ts";
import type { Store } from "../store/store.ts";

export async function preflight(store: Store): Promise<void> {
  // In turn: a missing runc leaves the store exactly as it was, not even the overlay record.
  await checkRunc(store.layout);
  if (!holdsSysAdmin()) throw new StrataError("ENV_SANDBOX", `strata cannot mount its layers or run a RUN step here: ${sandboxHint()}`);
  await snapshotterName(store.layout);
}
