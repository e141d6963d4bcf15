import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { mount, unmount } from "../../fs/mount.ts";
import { writeOwner } from "../../store/reclaim.ts";
import type { OverlaySnapshotter } from "../../snapshot/overlay.ts";

/**
 * Read-only views of finished filesystems (a built stage, an image) that a
 * COPY --from or a RUN --mount reads from. Each is an overlay mount of the
 * layers with no upper dir, made once per build on first use and unmounted
 * by `close`.
 */
export class ReadOnlyRoots {
  readonly #snapshots: OverlaySnapshotter;
  readonly #dir: string;
  readonly #mounted = new Map<string, Promise<string>>();

  constructor(snapshots: OverlaySnapshotter, dir: string) {
    this.#snapshots = snapshots;
    this.#dir = dir;
  }

  /** The mounted root of the filesystem made of `diffIds` (bottom first). */
  root(diffIds: readonly string[]): Promise<string> {
    const key = diffIds.join(",");
    let p = this.#mounted.get(key);
    if (p === undefined) {
      p = this.#mount(diffIds, this.#mounted.size);
      this.#mounted.set(key, p);
    }
    return p;
  }

  async #mount(diffIds: readonly string[], n: number): Promise<string> {
    const target = join(this.#dir, `ro-${n}`);
    const empty = join(this.#dir, `ro-${n}-empty`);
    await mkdir(target, { recursive: true });
    await mkdir(empty, { recursive: true });
    await writeOwner(this.#dir);
    // overlayfs wants two lower dirs when there is no upper dir.
    const lowers = this.#snapshots.lowerDirs(diffIds);
    await mount({ type: "overlay", source: "overlay", options: [`lowerdir=${[...lowers, empty].join(":")}`], cwd: this.#snapshots.layout.snapshots }, target);
    return target;
  }

  async close(): Promise<void> {
    const all = [...this.#mounted.values()];
    this.#mounted.clear();
    for (const p of all) {
      const target = await p.catch(() => undefined);
      if (target !== undefined) await unmount(target);
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}
