/**
 * A snapshotter under test (snapshotter.contract.ts's SnapshotterSubject): the named one of
 * snapshot/select.ts in a store root of its own under the system temp dir (specs run side by
 * side never share one), its content store the root's file store; scratch space is run/ (active
 * snapshots and views) and tmp/ (unpacks, ingests).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unmount } from "../../runtime/fs/mount.ts";
import { mountsUnder } from "../../runtime/fs/mountinfo.ts";
import { type SnapshotterName, snapshotterOf } from "../../runtime/snapshot/select.ts";
import { FileContentStore } from "../../runtime/store/content-store.ts";
import { StoreLayout } from "../../runtime/store/layout.ts";
import type { SnapshotterSubject } from "./snapshotter.contract.ts";

export function subject(name: SnapshotterName): () => Promise<SnapshotterSubject> {
  return async () => {
    const root = await mkdtemp(join(tmpdir(), `strata-contract-${name}-`));
    const layout = new StoreLayout(root);
    const content = new FileContentStore(layout);
    const ls = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).map((n) => `${dir.slice(root.length + 1)}/${n}`);
    return {
      snapshotter: snapshotterOf(name, layout, content),
      content,
      scratch: async () => [...(await ls(layout.run)), ...(await ls(layout.tmp))].sort(),
      cleanup: async () => {
        for (const mp of await mountsUnder(root)) await unmount(mp);
        await rm(root, { recursive: true, force: true });
      },
    };
  };
}
