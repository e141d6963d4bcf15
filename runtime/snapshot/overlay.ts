import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, symlink } from "node:fs/promises";
import { writeOwner } from "../store/reclaim.ts";
import { join } from "node:path";
import { decompressed } from "../layer/decompress.ts";
import { applyLayer } from "../layer/apply-layer.ts";
import type { ContentStore } from "../store/content-store.ts";
import { hexOf, type StoreLayout } from "../store/layout.ts";
import type { MountSpec } from "../fs/mount.ts";

/**
 * Overlay snapshots. Each layer is kept unpacked once, as an overlayfs layer
 * directory (whiteouts as 0/0 character devices, opaque directories by xattr)
 * at snapshots/<diffID hex>/fs, with a short link snapshots/l/<16 hex> so that
 * a mount's option string stays short (the kernel takes one page of options).
 *
 * The lifecycle, as containerd's snapshotter: `prepare` gives a fresh
 * upper/work pair and the mount (as data) of the parents with it; the caller
 * mounts, changes files, unmounts; the upper dir is then the layer's diff:
 * `commit` keeps it as the snapshot of the layer it became, `discard` drops it.
 */
export interface ActiveSnapshot {
  readonly id: string;
  readonly dir: string;
  readonly upper: string;
  readonly work: string;
  readonly merged: string;
  readonly mount: MountSpec;
}

export class OverlaySnapshotter {
  readonly layout: StoreLayout;
  readonly content: ContentStore;
  constructor(layout: StoreLayout, content: ContentStore) {
    this.layout = layout;
    this.content = content;
  }

  layerDir(diffId: string): string {
    return join(this.layout.snapshots, hexOf(diffId), "fs");
  }

  async hasLayer(diffId: string): Promise<boolean> {
    try {
      await stat(this.layerDir(diffId));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Makes sure the layer with `diffId` is unpacked, from the blob `blobDigest`:
   * the uncompressed layer, or (pulled) the registry's gzip or zstd blob,
   * decompressed here. Either way the tar must hash to `diffId`.
   */
  async ensureLayer(diffId: string, blobDigest: string): Promise<void> {
    if (await this.hasLayer(diffId)) return;
    const tmp = join(this.layout.tmp, `unpack-${randomBytes(6).toString("hex")}`);
    await mkdir(tmp, { recursive: true });
    try {
      const { stream } = await decompressed(this.content.read(blobDigest));
      const r = await applyLayer(stream, tmp, { mode: "overlay" });
      if (r.diffId !== diffId) throw new Error(`layer ${blobDigest}: content hashes to ${r.diffId}, expected diffID ${diffId}`);
      await this.adopt(tmp, diffId);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Takes a finished layer directory (an upper dir) as the snapshot of `diffId`. */
  async adopt(dir: string, diffId: string): Promise<void> {
    const hex = hexOf(diffId);
    const home = join(this.layout.snapshots, hex);
    await mkdir(home, { recursive: true });
    try {
      await rename(dir, join(home, "fs"));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
      // Another build made the same layer first: theirs is as good.
    }
    await mkdir(join(this.layout.snapshots, "l"), { recursive: true });
    await symlink(`../${hex}/fs`, join(this.layout.snapshots, "l", hex.slice(0, 16))).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
  }

  /**
   * Lower dirs for a mount, topmost first. A diffID can appear twice (every
   * empty layer has the same one): only its topmost place is kept, which is
   * the same view since the higher copy shadows the same paths anyway.
   */
  lowerDirs(parents: readonly string[]): string[] {
    return [...new Set([...parents].reverse())].map((d) => this.shortLink(d));
  }

  /** The short name of a layer dir, relative to snapshots/ (see the class comment). */
  shortLink(diffId: string): string {
    return `l/${hexOf(diffId).slice(0, 16)}`;
  }

  /** A fresh upper dir over `parents` (topmost last, as layers are listed in a manifest). */
  async prepare(parents: readonly string[]): Promise<ActiveSnapshot> {
    // The owner's pid in the id: containers named after it can be reclaimed when the owner dies (reclaim.ts).
    const id = `p${process.pid}-${randomBytes(6).toString("hex")}`;
    const dir = join(this.layout.run, id);
    const upper = join(dir, "upper");
    const work = join(dir, "work");
    const merged = join(dir, "merged");
    const empty = join(dir, "empty");
    await Promise.all([upper, work, merged, empty].map((d) => mkdir(d, { recursive: true })));
    await writeOwner(dir);
    const lowers = parents.length === 0 ? [empty] : this.lowerDirs(parents);
    const mount: MountSpec = {
      type: "overlay",
      source: "overlay",
      options: [`lowerdir=${lowers.join(":")}`, `upperdir=${upper}`, `workdir=${work}`, "index=off", "redirect_dir=off", "metacopy=off"],
      cwd: this.layout.snapshots,
    };
    return { id, dir, upper, work, merged, mount };
  }

  async discard(s: ActiveSnapshot): Promise<void> {
    await rm(s.dir, { recursive: true, force: true });
  }
}
