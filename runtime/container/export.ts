import type { Writable } from "node:stream";
import { writeLayer } from "../layer/write-layer.ts";
import type { Store } from "../store/store.ts";
import { withRootfs } from "./rootfs.ts";
import type { ContainerRecord } from "./state.ts";

/**
 * `export`: the container's file system as one tar, as docker's: the merged rootfs (its image's
 * layers, the init layer's mount points and its own changes), entries named from the root,
 * numeric owners, sorted (layer/write-layer.ts on a plain tree). To a stream, or to a file
 * written beside its path, fsynced, checked and renamed into place.
 */
export async function exportContainer(store: Store, rec: ContainerRecord, out: Writable | string): Promise<void> {
  await withRootfs(store, rec, (rootfs) => writeLayer(rootfs, out, { plain: true }));
}
