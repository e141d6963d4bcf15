/**
 * The Snapshotter contract run against every implementation available here, each in a store
 * root of its own (snapshotter-subject.ts). Kernel overlayfs (runtime/snapshot/overlay.ts) as root; fuse-overlayfs
 * (fuse-overlay.ts) when its binary is there and /dev/fuse opens; the copying snapshotter
 * (native.ts) always. Kernel overlayfs inside a user namespace is the same contract re-run as
 * an ordinary user: snapshotter-userns.spec.ts.
 */
import { describe, it } from "vitest";
import { fuseUnavailable, type SnapshotterName } from "../../runtime/snapshot/select.ts";
import { snapshotterContract } from "./snapshotter.contract.ts";
import { subject } from "./snapshotter-subject.ts";

/** The contract for `name`, or one notice and a skip (a failure under CI) when it cannot run here. */
function contractWhere(name: SnapshotterName, missing: string | undefined): void {
  if (missing === undefined) {
    snapshotterContract(name, subject(name));
    return;
  }
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
