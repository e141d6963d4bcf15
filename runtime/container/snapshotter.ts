/**
 * The snapshotter a container's rootfs is mounted and diffed with. The kind of its upper dir is
 * fixed when it is created: a copied tree (native) or an overlay upper dir, which kernel
 * overlayfs and fuse-overlayfs both read and write (the one the store uses now is taken). So a
 * native container stays native, and an overlay container keeps an overlay kind even when the
 * store's choice is native now.
 */
import type { OverlaySnapshotter } from "../snapshot/overlay.ts";
import { snapshotterName, snapshotterOf } from "../snapshot/select.ts";
import type { Store } from "../store/store.ts";
import type { ContainerRecord } from "./state.ts";

export async function containerSnapshotter(store: Store, rec: ContainerRecord): Promise<OverlaySnapshotter> {
  const current = await snapshotterName(store.layout);
  const made = rec.snapshotter ?? "overlayfs";
  const name = made === "native" ? "native" : current === "native" ? made : current;
  return snapshotterOf(name, store.layout, store.content);
}
