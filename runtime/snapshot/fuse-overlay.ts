/**
 * The fuse-overlayfs snapshotter: overlay.ts's store, scratch dirs and change sets, mounted by
 * the fuse-overlayfs binary (Debian's fuse-overlayfs) instead of the kernel, for where kernel
 * overlayfs refuses the store's filesystem. Its mounts name the layer dirs by their absolute
 * paths (fuse-overlayfs does not resolve them from a working dir) and take none of the kernel's
 * options. Once unmounted, an upper dir is brought into the store's overlay form
 * (fuse-upper.ts) before it is looked at, diffed or committed, so a store can switch between
 * kernel overlayfs and fuse-overlayfs, and a layer gets the same tar and diffID from either.
 */
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { MountSpec } from "../fs/mount.ts";
import { mountsUnder } from "../fs/mountinfo.ts";
import type { DigestingSink, WriteLayerOptions, WriteLayerResult } from "../layer/write-layer.ts";
import { normalizeFuseUpper } from "./fuse-upper.ts";
import { type OverlayActiveSnapshot, OverlaySnapshotter } from "./overlay.ts";
import type { ActiveSnapshot } from "./snapshotter.ts";
import { exists } from "../fs/exists.ts";

/** A kernel overlay MountSpec as fuse-overlayfs takes it: absolute dirs, no kernel options. */
export function fuseMountOf(m: MountSpec): MountSpec {
  const abs = (p: string): string => (m.cwd === undefined || p.startsWith("/") ? p : join(m.cwd, p));
  const options: string[] = [];
  for (const o of m.options) {
    const [key, value = ""] = o.split(/=(.*)/s) as [string, string?];
    if (key === "lowerdir") options.push(`lowerdir=${value.split(":").map(abs).join(":")}`);
    else if (key === "upperdir" || key === "workdir") options.push(`${key}=${abs(value)}`);
  }
  return { type: "fuse-overlayfs", source: "fuse-overlayfs", options };
}

/** The lower dirs of a fuse MountSpec, topmost first. */
function lowersOf(m: MountSpec): string[] {
  const o = m.options.find((x) => x.startsWith("lowerdir="));
  return o === undefined ? [] : o.slice("lowerdir=".length).split(":");
}

export class FuseOverlaySnapshotter extends OverlaySnapshotter {
  override async prepare(parents: readonly string[]): Promise<OverlayActiveSnapshot> {
    const a = await super.prepare(parents);
    return { ...a, mount: fuseMountOf(a.mount) };
  }

  override async view(parents: readonly string[]): Promise<ActiveSnapshot> {
    const v = await super.view(parents);
    return { ...v, mount: fuseMountOf(v.mount) };
  }

  override async rootfsMount(extraLowers: readonly string[], diffIds: readonly string[], upper: string, work: string): Promise<MountSpec> {
    return fuseMountOf(await super.rootfsMount(extraLowers, diffIds, upper, work));
  }

  /** The container's upper dir, in overlay form (so a commit's tar is the one kernel overlayfs would give). */
  override async changeSet(extraLowers: readonly string[], diffIds: readonly string[], upper: string, work: string): Promise<{ dir: string; release(): Promise<void> }> {
    await normalizeFuseUpper(upper, [...extraLowers, ...this.lowerDirs(diffIds).map((l) => join(this.layout.snapshots, l))]);
    return super.changeSet(extraLowers, diffIds, upper, work);
  }

  override async changed(active: OverlayActiveSnapshot): Promise<boolean> {
    await this.#normalize(active);
    return super.changed(active);
  }

  override async diff(active: OverlayActiveSnapshot, out: Writable | DigestingSink, options: WriteLayerOptions = {}): Promise<WriteLayerResult> {
    await this.#normalize(active);
    return super.diff(active, out, options);
  }

  override async commit(active: OverlayActiveSnapshot, diffId: string): Promise<void> {
    await this.#normalize(active);
    return super.commit(active, diffId);
  }

  /** The upper dir in overlay form, when it is there and unmounted (otherwise the overlay snapshotter refuses it). */
  async #normalize(active: OverlayActiveSnapshot): Promise<void> {
    if (!(await exists(active.upper)) || (await mountsUnder(active.dir)).length > 0) return;
    await normalizeFuseUpper(active.upper, lowersOf(active.mount));
  }
}
