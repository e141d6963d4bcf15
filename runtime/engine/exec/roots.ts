import { mount } from "../../fs/mount.ts";
import type { ActiveSnapshot, Snapshotter } from "../../snapshot/snapshotter.ts";

/**
 * Read-only views of finished filesystems (a built stage, an image) that a
 * COPY --from or a RUN --mount reads from. Each is a snapshotter view of the
 * layers, mounted once per build on first use and unmounted and discarded
 * by `close`.
 */
export class ReadOnlyRoots {
  readonly #snapshots: Snapshotter;
  readonly #mounted = new Map<string, Promise<ActiveSnapshot>>();

  constructor(snapshots: Snapshotter) {
    this.#snapshots = snapshots;
  }

  /** The mounted root of the filesystem made of `diffIds` (bottom first). */
  async root(diffIds: readonly string[]): Promise<string> {
    const key = diffIds.join(",");
    let p = this.#mounted.get(key);
    if (p === undefined) {
      p = this.#mount(diffIds);
      this.#mounted.set(key, p);
    }
    return (await p).merged;
  }

  async #mount(diffIds: readonly string[]): Promise<ActiveSnapshot> {
    const view = await this.#snapshots.view(diffIds);
    try {
      await mount(view.mount, view.merged);
    } catch (e) {
      await this.#snapshots.discard(view);
      throw e;
    }
    return view;
  }

  async close(): Promise<void> {
    const all = [...this.#mounted.values()];
    this.#mounted.clear();
    for (const p of all) {
      const view = await p.catch(() => undefined);
      // discard unmounts it first.
      if (view !== undefined) await this.#snapshots.discard(view);
    }
  }
}
