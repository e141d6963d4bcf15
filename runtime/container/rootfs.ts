/**
 * A container's root filesystem as the host reaches it, for the commands that read or write
 * it from outside (cp, export, commit): `merged/`, mounted while the container runs; for a
 * created or stopped container it is mounted for the length of the work and unmounted after
 * (left mounted when the container was started meanwhile: its monitor unmounts it at the end).
 */
import { spawnSync } from "node:child_process";
import { unmount } from "../fs/mount.ts";
import { runcBinary } from "../runc/binary.ts";
import type { Store } from "../store/store.ts";
import { ContainerStateError } from "./lifecycle.ts";
import { runc } from "./runc-ops.ts";
import { isMounted, mountRootfs } from "./start.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";
import { containerStatus, isRunning } from "./status.ts";

/** Runs `work` on the container's mounted rootfs (merged/). */
export async function withRootfs<T>(store: Store, rec: ContainerRecord, work: (rootfs: string) => Promise<T>): Promise<T> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const mounted = await isMounted(paths.merged);
  if (!mounted) await mountRootfs(store, rec, paths);
  try {
    return await work(paths.merged);
  } finally {
    if (!mounted && !isRunning(await containerStatus(store, rec))) await unmount(paths.merged);
  }
}

/**
 * Runs `work` with a running container frozen (runc pause, then resume), so its processes change
 * nothing meanwhile: commit's consistent layer, and cp's checked paths (a process cannot swap a
 * checked directory for a symlink: docker paused for cp after CVE-2018-15664). A container that
 * is not running, or paused already, is left as it is.
 */
export async function frozen<T>(store: Store, rec: ContainerRecord, work: () => Promise<T>): Promise<T> {
  if ((await containerStatus(store, rec)).state !== "running") return work();
  const rid = runcId(rec.id);
  const r = await runc(store.layout.runc, ["pause", rid]);
  if (r.code !== 0) throw new ContainerStateError(`cannot pause container ${rec.name}: ${r.stderr.trim()}`);
  // Interrupted meanwhile: the container is resumed before this process ends, never left frozen.
  const onSignal = (sig: NodeJS.Signals): void => {
    spawnSync(runcBinary(), ["--root", store.layout.runc, "resume", rid], { stdio: "ignore" });
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await work();
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await runc(store.layout.runc, ["resume", rid]);
  }
}
