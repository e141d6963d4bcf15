import type { Store } from "../../store/store.ts";
import { deleteContainerFiles } from "../remove-files.ts";
import { runc } from "../runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "../state.ts";
import { unmountAll } from "../unmount.ts";
import { teardownNetwork } from "../network/setup.ts";

/**
 * The one step the monitor takes when the container ends for good (its process ended and no
 * restart follows, or it was stopped), never between restarts: runc's state goes, the rootfs
 * and every other mount under the container's dir is unmounted, the container's network is
 * torn down, and with --rm the container is removed. Each part runs even when one before it
 * failed; the first failure is thrown after all ran.
 */
export async function finalCleanup(store: Store, rec: ContainerRecord): Promise<{ removed: boolean }> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const failures: unknown[] = [];
  const step = async (fn: () => Promise<unknown>): Promise<void> => {
    await fn().catch((e: unknown) => failures.push(e));
  };
  await step(() => runc(store.layout.runc, ["delete", "--force", runcId(rec.id)]));
  // The network first: its namespace is one of the mounts under the container's dir.
  await step(() => teardownNetwork(paths.dir));
  await step(() => unmountAll(paths.dir));
  let removed = false;
  if (rec.autoRemove) {
    await step(async () => {
      await deleteContainerFiles(store, rec);
      removed = true;
    });
  }
  if (failures.length > 0) throw failures[0];
  return { removed };
}
