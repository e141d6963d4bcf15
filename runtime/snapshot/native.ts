/**
 * The copying snapshotter ("native", as containerd's native snapshotter and buildah's vfs
 * driver): for where no overlay can be mounted at all. It needs no mount privilege beyond a
 * bind mount. The store and its committed layers are overlay.ts's (snapshots/<hex>/fs in overlay
 * form), so a store can switch snapshotters and keep its cache keys and digests.
 *
 * `prepare` copies the union of the parents' layer dirs into run/<id>/tree (union-copy.ts) and
 * hands out a bind mount of it; `view` does the same with hard links, mounted read-only. The
 * snapshot's upper dir stays empty until the tree is looked at: `changed`, `diff` and `commit`
 * write the tree's change set against the parents into it (change-set.ts: hard links and 0/0
 * whiteouts), and from there it is the overlay snapshotter's upper dir (its tar, its commit).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { exists } from "../fs/exists.ts";
import type { MountSpec } from "../fs/mount.ts";
import { mountsUnder } from "../fs/mountinfo.ts";
import type { DigestingSink, WriteLayerOptions, WriteLayerResult } from "../layer/write-layer.ts";
import { writeChangeSet } from "./change-set.ts";
import { type OverlayActiveSnapshot, OverlaySnapshotter } from "./overlay.ts";
import type { ActiveSnapshot } from "./snapshotter.ts";
import { copyUnion } from "./union-copy.ts";

/** The file made once a tree is copied (in a snapshot's dir, a container's work dir): a directory born after it was made again. */
const COPIED = "copied";

/** An active copied snapshot: its tree, and the layer dirs it was copied from (topmost first). */
interface NativeActiveSnapshot extends OverlayActiveSnapshot {
  readonly tree: string;
  readonly layers: readonly string[];
}

export class NativeSnapshotter extends OverlaySnapshotter {
  /** Snapshots whose upper dir holds a change set (written by `changed` or `diff`, which write it again each time): `commit` writes one only when there is none. */
  readonly #written = new WeakSet<ActiveSnapshot>();

  /** The parents' layer dirs, topmost first, each once. */
  #layers(parents: readonly string[]): string[] {
    return [...new Set([...parents].reverse())].map((d) => this.layerDir(d));
  }

  override async prepare(parents: readonly string[]): Promise<OverlayActiveSnapshot> {
    const a = await super.prepare(parents);
    return this.#copied(a, parents, false);
  }

  override async view(parents: readonly string[]): Promise<ActiveSnapshot> {
    const v = await super.view(parents);
    return this.#copied(v, parents, true);
  }

  async #copied<S extends ActiveSnapshot>(s: S, parents: readonly string[], readonly: boolean): Promise<S & NativeActiveSnapshot> {
    const tree = join(s.dir, "tree");
    const layers = this.#layers(parents);
    try {
      await mkdir(tree);
      await copyUnion([...layers].reverse(), tree, { link: readonly });
      await writeFile(join(s.dir, COPIED), "");
    } catch (e) {
      await this.discard(s);
      throw e;
    }
    return { ...(s as S & OverlayActiveSnapshot), tree, layers, mount: { type: "bind", source: tree, options: readonly ? ["ro"] : [] } };
  }

  /**
   * A container's rootfs: its upper dir holds the whole tree (the init layer over the image's
   * layers, copied in at the first mount; a marker in the work dir says it is there), bound.
   */
  override async rootfsMount(extraLowers: readonly string[], diffIds: readonly string[], upper: string, work: string): Promise<MountSpec> {
    const marker = join(work, COPIED);
    if (!(await exists(marker))) {
      for (const name of await readdir(upper)) await rm(join(upper, name), { recursive: true, force: true });
      await copyUnion([...extraLowers, ...this.#layers(diffIds)].reverse(), upper, { link: false });
      await writeFile(marker, "");
    }
    return { type: "bind", source: upper, options: [] };
  }

  /** The container's tree against the init layer and the image's layers, as an overlay upper dir in tmp/ (removed by `release`). */
  override async changeSet(extraLowers: readonly string[], diffIds: readonly string[], upper: string, work: string): Promise<{ dir: string; release(): Promise<void> }> {
    const dir = join(this.layout.tmp, `changes-${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    try {
      if (await exists(join(work, COPIED))) await writeChangeSet(upper, [...extraLowers, ...this.#layers(diffIds)], dir, join(work, COPIED));
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return { dir, release: () => rm(dir, { recursive: true, force: true }) };
  }

  override async changed(active: OverlayActiveSnapshot): Promise<boolean> {
    await this.#write(active, true);
    return super.changed(active);
  }

  override async diff(active: OverlayActiveSnapshot, out: Writable | DigestingSink, options: WriteLayerOptions = {}): Promise<WriteLayerResult> {
    await this.#write(active, true);
    return super.diff(active, out, options);
  }

  override async commit(active: OverlayActiveSnapshot, diffId: string): Promise<void> {
    await this.#write(active, false);
    return super.commit(active, diffId);
  }

  /** The change set into the upper dir (again when `fresh`), when the snapshot is there and unmounted (otherwise the overlay snapshotter refuses it). */
  async #write(active: OverlayActiveSnapshot, fresh: boolean): Promise<void> {
    const n = active as NativeActiveSnapshot;
    if (n.tree === undefined || !(await exists(n.upper)) || (await mountsUnder(n.dir)).length > 0) return;
    if (!fresh && this.#written.has(active)) return;
    for (const name of await readdir(n.upper)) await rm(join(n.upper, name), { recursive: true, force: true });
    await writeChangeSet(n.tree, n.layers, n.upper, join(n.dir, COPIED));
    this.#written.add(active);
  }
}
