/**
 * The Snapshotter contract run against every implementation available here, each in a store
 * root of its own under the system temp dir (so runs side by side never meet), its content store
 * the root's file store. Scratch space: run/ (active snapshots and views) and tmp/ (unpacks,
 * ingests). Kernel overlayfs (runtime/snapshot/overlay.ts) as root; fuse-overlayfs
 * (fuse-overlay.ts) when its binary is there and /dev/fuse opens; the copying snapshotter
 * (native.ts) always. Kernel overlayfs inside a user namespace is the same contract re-run as
 * an ordinary user: snapshotter-userns.spec.ts.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { unmount } from "../../runtime/fs/mount.ts";
import { mountsUnder } from "../../runtime/fs/mountinfo.ts";
import { fuseUnavailable, type SnapshotterName, snapshotterOf } from "../../runtime/snapshot/select.ts";
import { FileContentStore } from "../../runtime/store/content-store.ts";
import { StoreLayout } from "../../runtime/store/layout.ts";
import { snapshotterContract } from "./snapshotter.contract.ts";

function subject(name: SnapshotterName) {
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

/** The contract for `name`, or one notice and a skip (a failure under CI) when it cannot run here. */
function contractWhere(name: SnapshotterName, missing: string | undefined): void {
  if (missing === undefined) return snapshotterContract(name, subject(name));
  if (process.env.CI) {
    describe(`Snapshotter contract: ${name}`, () => {
      it("can run here", () => {
        throw new Error(`the ${name} contract cannot run: ${missing} (CI is set, so it may not skip)`);
      });
    });
    return;
  }
  process.stderr.write(`notice: skipping the ${name} snapshotter contract: ${missing}\n`);
  describe.skip(`Snapshotter contract: ${name}`, () => it("runs", () => undefined));
}

const root = process.getuid?.() === 0 ? undefined : "it mounts kernel overlayfs as root";
contractWhere("overlayfs", root);
contractWhere("fuse-overlayfs", root ?? (await fuseUnavailable()));
contractWhere("native", root === undefined ? undefined : "it bind-mounts as root");
