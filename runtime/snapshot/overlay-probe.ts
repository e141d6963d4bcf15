/**
 * The preflight's overlay check: can overlayfs use the store's filesystem for the upper and
 * work dirs every RUN and container mounts? A store on overlayfs (overlay-on-overlay) is
 * refused at once; otherwise one real probe mount in run/ (with the options the snapshotter
 * uses) writes a file and a whiteout through the mount. A pass is recorded in the store
 * (layout.overlayProbe, keyed by the filesystem's type and device and the kernel), so later
 * commands only stat and read one small file; a failure is never recorded.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, rm, stat, statfs, writeFile } from "node:fs/promises";
import { release } from "node:os";
import { join } from "node:path";
import { StrataError } from "../errors/error.ts";
import { mount, unmount } from "../fs/mount.ts";
import type { StoreLayout } from "../store/layout.ts";
import { writeOwner } from "../store/reclaim.ts";
import { atomicWrite } from "../fs/atomic-write.ts";
import { hasEffective } from "../runc/capabilities.ts";
import { writableOverlayOptions } from "./overlay-options.ts";

/** statfs(2)'s f_type of overlayfs. */
const OVERLAYFS_MAGIC = 0x794c7630;

async function probe(layout: StoreLayout): Promise<void> {
  const dir = join(layout.run, `probe-p${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  await writeOwner(dir);
  const [lower, upper, work, merged] = ["lower", "upper", "work", "merged"].map((d) => join(dir, d)) as [string, string, string, string];
  try {
    await Promise.all([lower, upper, work, merged].map((d) => mkdir(d)));
    await writeFile(join(lower, "gone"), "");
    await mount({ type: "overlay", source: "overlay", options: [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`, ...writableOverlayOptions()] }, merged);
    try {
      await writeFile(join(merged, "new"), "");
      await rm(join(merged, "gone"));
    } finally {
      await unmount(merged);
    }
    const whiteout = await lstat(join(upper, "gone"));
    if (!whiteout.isCharacterDevice() || whiteout.rdev !== 0) throw new StrataError("ENV_OVERLAY", "a delete through the mount left no whiteout in the upper dir");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const checked = new Map<string, Promise<void>>();

/** Throws ENV_OVERLAY (exit 2) unless overlayfs works on the store's filesystem; once per process. */
export function checkOverlay(layout: StoreLayout): Promise<void> {
  let done = checked.get(layout.root);
  done ??= (async () => {
    const [fs, st] = await Promise.all([statfs(layout.root), stat(layout.root)]);
    const key = `type=${fs.type.toString(16)} dev=${st.dev} kernel=${release()}\n`;
    if ((await readFile(layout.overlayProbe, "utf8").catch(() => "")) === key) return;
    if (fs.type === OVERLAYFS_MAGIC) {
      throw new StrataError("ENV_OVERLAY", `the store ${layout.root} is on overlayfs, and overlayfs cannot use an overlayfs upper dir (overlay-on-overlay): put --root (or STRATA_ROOT) on ext4, xfs, btrfs or tmpfs`);
    }
    try {
      await probe(layout);
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      // In a container that withholds it (rootless podman's default), no mount can work at all.
      const hint = hasEffective("CAP_SYS_ADMIN") ? "" : "; this process lacks CAP_SYS_ADMIN, which mounts need: in a container, give it --cap-add SYS_ADMIN (docs/rootless.md)";
      throw new StrataError("ENV_OVERLAY", `overlayfs does not work on the store's filesystem (${layout.root}, type 0x${fs.type.toString(16)}): ${hint === "" ? why : why?.replace(/\.$/, "")}${hint}`);
    }
    await atomicWrite(layout.overlayProbe, key, layout.tmp);
  })();
  checked.set(layout.root, done);
  return done;
}
