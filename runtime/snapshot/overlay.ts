import { randomBytes } from "node:crypto";
import { mkdir, readdir, readlink, rename, rm, stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Writable } from "node:stream";
import { type MountSpec, unmount } from "../fs/mount.ts";
import { applyLayer } from "../layer/apply-layer.ts";
import { decompressed } from "../layer/decompress.ts";
import { type DigestingSink, type WriteLayerOptions, type WriteLayerResult, writeLayer } from "../layer/write-layer.ts";
import type { ContentStore } from "../store/content.ts";
import { hexOf, type StoreLayout } from "../store/layout.ts";
import { leaseOf } from "../store/leases.ts";
import { writeOwner } from "../store/reclaim.ts";
import { blobIsCorrupt, CorruptBlobError } from "../store/verified-read.ts";
import { mountsUnder } from "../fs/mountinfo.ts";
import { readonlyOverlayOptions, writableOverlayOptions } from "./overlay-options.ts";
import { type ActiveSnapshot, SnapshotError, type SnapshotInfo, type Snapshotter } from "./snapshotter.ts";

/** A scratch dir's name under run/: its owner's pid and 12 random hex. */
function scratchId(pid: string, rand: string): string {
  return `p${pid}-${rand}`;
}

/** An active overlay snapshot: its upper dir is the change set, its work dir overlayfs's own. */
export interface OverlayActiveSnapshot extends ActiveSnapshot {
  readonly upper: string;
  readonly work: string;
}

/**
 * Overlay snapshots (the Snapshotter contract, snapshotter.ts). Each
 * committed layer is kept unpacked once, as an overlayfs layer directory
 * (whiteouts as 0/0 character devices, opaque directories by xattr) at
 * snapshots/<diffID hex>/fs, with a short link snapshots/l/<16 hex> so that
 * a mount's option string stays short (the kernel takes one page of options).
 *
 * `prepare` makes run/<p<pid>-rand>/ with a fresh upper and work dir and the
 * overlay mount (as data) of the parents' layer dirs under it; the upper dir
 * is the change set, so `diff` is the upper dir written as a tar
 * (runtime/layer/write-layer.ts) and `commit` renames the upper dir to
 * snapshots/<diffID hex>/fs: a snapshot is committed the moment that rename
 * lands, and only whole. `view` is the same mount with no upper dir.
 * `apply` and `unpack` unpack a tar into tmp/unpack-<pid>-rand/ (overlay
 * form, runtime/layer/apply-layer.ts) and commit that dir the same way.
 * The pid in scratch names lets the next strata command reclaim what a
 * dead process left (store/reclaim.ts).
 *
 * Beside the contract, for containers (runtime/container/), which mount
 * their own upper dir over an image's layers: `layerDir`, `lowerDirs`,
 * `rootfsMount` and `changeSet` (which the other snapshotters, fuse-overlay.ts
 * and native.ts, make their own).
 */
export class OverlaySnapshotter implements Snapshotter<OverlayActiveSnapshot> {
  readonly layout: StoreLayout;
  readonly content: ContentStore;
  /** The diffID `diff` computed for an active snapshot: commit checks it is the one it is given. */
  readonly #diffs = new WeakMap<ActiveSnapshot, string>();

  constructor(layout: StoreLayout, content: ContentStore) {
    this.layout = layout;
    this.content = content;
  }

  /**
   * The upper and work dirs of the longest scratch dir a build step's mount can have here (a
   * pid has at most 7 digits, pid_max being at most 2^22): what its options are measured on.
   */
  static longestScratch(layout: StoreLayout): { upper: string; work: string } {
    const dir = join(layout.run, scratchId("9".repeat(7), "0".repeat(12)));
    return { upper: join(dir, "upper"), work: join(dir, "work") };
  }

  /** The committed layer's directory (overlay form). */
  layerDir(diffId: string): string {
    return join(this.layout.snapshots, hexOf(diffId), "fs");
  }

  async has(diffId: string): Promise<boolean> {
    return (await this.stat(diffId)) !== undefined;
  }

  /** Leased first (store/leases.ts): a snapshot this process has seen stays until it exits. */
  async stat(diffId: string): Promise<SnapshotInfo | undefined> {
    await leaseOf(this.layout).hold(diffId);
    const fs = await stat(this.layerDir(diffId)).catch(() => undefined);
    if (!fs?.isDirectory()) return undefined;
    const home = await stat(join(this.layout.snapshots, hexOf(diffId))).catch(() => undefined);
    return { diffId, created: (home ?? fs).mtime };
  }

  async list(): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const hex of await readdir(this.layout.snapshots).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{64}$/.test(hex)) continue;
      const info = await this.stat(`sha256:${hex}`);
      if (info) out.push(info);
    }
    return out;
  }

  /**
   * Lower dirs for a mount, topmost first, relative to snapshots/ (the mount
   * runs there). A diffID can appear twice (every empty layer has the same
   * one): only its topmost place is kept, which is the same view since the
   * higher copy shadows the same paths anyway.
   */
  lowerDirs(parents: readonly string[]): string[] {
    return [...new Set([...parents].reverse())].map((d) => `l/${hexOf(d).slice(0, 16)}`);
  }

  /** A container's rootfs: `extraLowers` (absolute, topmost first, such as its init layer) over the layers of `diffIds`, with its own upper and work dirs. */
  async rootfsMount(extraLowers: readonly string[], diffIds: readonly string[], upper: string, work: string): Promise<MountSpec> {
    const lowers = [...extraLowers, ...this.lowerDirs(diffIds)];
    return { type: "overlay", source: "overlay", options: [`lowerdir=${lowers.join(":")}`, `upperdir=${upper}`, `workdir=${work}`, ...writableOverlayOptions()], cwd: this.layout.snapshots };
  }

  /** A container's changes (its rootfs unmounted, or frozen) as an overlay upper dir, for `diff` and `commit`: here its upper dir itself. */
  async changeSet(_extraLowers: readonly string[], _diffIds: readonly string[], upper: string, _work: string): Promise<{ dir: string; release(): Promise<void> }> {
    return { dir: upper, release: async () => undefined };
  }

  async prepare(parents: readonly string[]): Promise<OverlayActiveSnapshot> {
    await this.#mustHave(parents);
    const { id, dir, merged, empty } = await this.#scratch();
    const upper = join(dir, "upper");
    const work = join(dir, "work");
    await Promise.all([upper, work].map((d) => mkdir(d)));
    const lowers = parents.length === 0 ? [empty] : this.lowerDirs(parents);
    const mount: MountSpec = {
      type: "overlay",
      source: "overlay",
      options: [`lowerdir=${lowers.join(":")}`, `upperdir=${upper}`, `workdir=${work}`, ...writableOverlayOptions()],
      cwd: this.layout.snapshots,
    };
    return { id, dir, merged, mount, readonly: false, upper, work };
  }

  async view(parents: readonly string[]): Promise<ActiveSnapshot> {
    await this.#mustHave(parents);
    const { id, dir, merged, empty } = await this.#scratch();
    // overlayfs wants two lower dirs when there is no upper dir.
    const lowers = [...this.lowerDirs(parents), empty];
    if (parents.length === 0) {
      lowers.push(join(dir, "empty2"));
      await mkdir(join(dir, "empty2"));
    }
    const mount: MountSpec = { type: "overlay", source: "overlay", options: [`lowerdir=${lowers.join(":")}`, ...readonlyOverlayOptions()], cwd: this.layout.snapshots };
    return { id, dir, merged, mount, readonly: true };
  }

  async changed(active: OverlayActiveSnapshot): Promise<boolean> {
    await this.#mustBeIdle(active);
    return (await readdir(active.upper)).length > 0;
  }

  async diff(active: OverlayActiveSnapshot, out: Writable | DigestingSink, options: WriteLayerOptions = {}): Promise<WriteLayerResult> {
    await this.#mustBeIdle(active);
    const r = await writeLayer(active.upper, out, options);
    this.#diffs.set(active, r.diffId);
    return r;
  }

  async commit(active: OverlayActiveSnapshot, diffId: string): Promise<void> {
    await this.#mustBeIdle(active);
    // Without a diff first, one is computed (hashed, not kept) to check the name.
    const diffed = this.#diffs.get(active) ?? (await writeLayer(active.upper, discarding())).diffId;
    if (diffed !== diffId) throw new SnapshotError("SNAPSHOT_DIFFID_MISMATCH", `snapshot ${active.id}: its diff is ${diffed}, not ${diffId}; not committed`);
    await this.#commitDir(active.upper, diffId);
    await rm(active.dir, { recursive: true, force: true });
  }

  async discard(s: ActiveSnapshot): Promise<void> {
    for (const mp of await mountsUnder(s.dir)) await unmount(mp);
    await rm(s.dir, { recursive: true, force: true });
  }

  async apply(tar: Readable | AsyncIterable<Uint8Array>, diffId?: string): Promise<string> {
    const tmp = join(this.layout.tmp, `unpack-${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(tmp, { recursive: true });
    try {
      const r = await applyLayer(tar as Readable, tmp, { mode: "overlay" });
      if (diffId !== undefined && r.diffId !== diffId) throw new SnapshotError("SNAPSHOT_DIFFID_MISMATCH", `content hashes to ${r.diffId}, expected diffID ${diffId}; nothing unpacked`);
      await this.#commitDir(tmp, r.diffId);
      return r.diffId;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * The blob is checked against its digest as it is read (ContentStore.read); when the unpack
   * fails otherwise (a gzip or tar error part-way), the blob is hashed to tell a corrupt blob
   * (CorruptBlobError, STORE_CORRUPT) from a bad layer.
   */
  async unpack(diffId: string, blob: string): Promise<void> {
    if (await this.has(diffId)) {
      // Already there: mountable too (a link a crash or an older gc lost is made again).
      await this.#link(hexOf(diffId));
      return;
    }
    let stream: Readable | undefined;
    try {
      stream = (await decompressed(this.content.read(blob), { subject: `layer ${blob}` })).stream;
      // An error comes out of apply, or out of the read of the rest below; never as an unhandled event.
      stream.on("error", () => undefined);
      await this.apply(stream, diffId);
      // The tar may end before the blob does: the rest is read, so that the blob's check (at its end) is made.
      if (!stream.destroyed) for await (const _ of stream);
    } catch (e) {
      if (e instanceof CorruptBlobError) throw e;
      const actual = await blobIsCorrupt(this.layout.blob(blob), blob);
      if (actual !== undefined) throw new CorruptBlobError(blob, actual);
      if (e instanceof SnapshotError) throw new SnapshotError(e.code, `layer ${blob}: ${e.message}`);
      throw e;
    } finally {
      stream?.destroy();
    }
  }

  async remove(diffId: string): Promise<boolean> {
    const hex = hexOf(diffId);
    const home = join(this.layout.snapshots, hex);
    if ((await stat(home).catch(() => undefined)) === undefined) return false;
    const link = join(this.layout.snapshots, "l", hex.slice(0, 16));
    if ((await readlink(link).catch(() => undefined)) === `../${hex}/fs`) await rm(link, { force: true });
    await rm(home, { recursive: true, force: true });
    return true;
  }

  /**
   * Renames a finished layer dir to snapshots/<hex>/fs. The short link comes
   * first (dangling until the rename): a committed snapshot can always be
   * mounted. When another build committed the same layer first, theirs is as
   * good and `dir` stays where it was for its owner to remove.
   */
  async #commitDir(dir: string, diffId: string): Promise<void> {
    const hex = hexOf(diffId);
    // Leased before it exists: a collection running now keeps it (store/leases.ts).
    await leaseOf(this.layout).hold(diffId);
    await this.#link(hex);
    const home = join(this.layout.snapshots, hex);
    await mkdir(home, { recursive: true });
    try {
      await rename(dir, join(home, "fs"));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
    }
  }

  /** run/<p<pid>-rand>/ with its owner file, an empty merged/ to mount on and an empty lower dir. */
  async #scratch(): Promise<{ id: string; dir: string; merged: string; empty: string }> {
    // The owner's pid in the id: containers named after it can be reclaimed when the owner dies (reclaim.ts).
    const id = scratchId(String(process.pid), randomBytes(6).toString("hex"));
    const dir = join(this.layout.run, id);
    const merged = join(dir, "merged");
    const empty = join(dir, "empty");
    await mkdir(dir, { recursive: true });
    await writeOwner(dir);
    // The mount runs in snapshots/ (short lower dir names): it must exist even before the first layer.
    await mkdir(this.layout.snapshots, { recursive: true });
    await Promise.all([merged, empty].map((d) => mkdir(d)));
    return { id, dir, merged, empty };
  }

  /** The short link l/<16 hex> → ../<hex>/fs (made if missing; one that exists is left as it is). */
  async #link(hex: string): Promise<void> {
    await mkdir(join(this.layout.snapshots, "l"), { recursive: true });
    await symlink(`../${hex}/fs`, join(this.layout.snapshots, "l", hex.slice(0, 16))).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
  }

  /** Every parent is unpacked, and its short link is there (one a crash or an old gc lost is made again). */
  async #mustHave(parents: readonly string[]): Promise<void> {
    for (const p of new Set(parents)) {
      if (!(await this.has(p))) throw new SnapshotError("SNAPSHOT_NOT_FOUND", `layer ${p} is not unpacked (no snapshot of it)`);
      await this.#link(hexOf(p));
    }
  }

  /** The active snapshot has not ended and nothing is mounted on it. */
  async #mustBeIdle(active: OverlayActiveSnapshot): Promise<void> {
    if ((await stat(active.upper).catch(() => undefined)) === undefined) throw new SnapshotError("SNAPSHOT_ENDED", `snapshot ${active.id} was committed or discarded`);
    const mounted = await mountsUnder(active.dir);
    if (mounted.length > 0) throw new SnapshotError("SNAPSHOT_MOUNTED", `snapshot ${active.id} is still mounted (${mounted.join(", ")}); unmount it first`);
  }
}

/** A Writable that drops what it is given. */
function discarding(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
