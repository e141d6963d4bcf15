/**
 * The Snapshotter contract run against every implementation: today the
 * overlay snapshotter (runtime/snapshot/overlay.ts), with real overlayfs
 * mounts, in a store root of its own under the system temp dir, its content
 * store the root's file store. Scratch space: run/ (active snapshots and
 * views) and tmp/ (unpacks, ingests).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unmount } from "../../runtime/fs/mount.ts";
import { OverlaySnapshotter } from "../../runtime/snapshot/overlay.ts";
import { mountsUnder } from "../../runtime/fs/mountinfo.ts";
import { FileContentStore } from "../../runtime/store/content-store.ts";
import { StoreLayout } from "../../runtime/store/layout.ts";
import { snapshotterContract } from "./snapshotter.contract.ts";

snapshotterContract("OverlaySnapshotter", async () => {
  const root = await mkdtemp(join(tmpdir(), "strata-contract-overlay-"));
  const layout = new StoreLayout(root);
  const content = new FileContentStore(layout);
  const ls = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).map((n) => `${dir.slice(root.length + 1)}/${n}`);
  return {
    snapshotter: new OverlaySnapshotter(layout, content),
    content,
    scratch: async () => [...(await ls(layout.run)), ...(await ls(layout.tmp))].sort(),
    cleanup: async () => {
      for (const mp of await mountsUnder(root)) await unmount(mp);
      await rm(root, { recursive: true, force: true });
    },
  };
});
