/**
 * Which snapshotter a store is used with (issue 20): `STRATA_SNAPSHOTTER=overlayfs|fuse-overlayfs|native`
 * forces one (a name that is none of them, or one this host cannot use, is ENV_SNAPSHOTTER, exit 2);
 * otherwise kernel overlayfs when the preflight's probe passes on the store's filesystem
 * (overlay-probe.ts: in a user namespace with `userxattr`), else fuse-overlayfs when its binary
 * is on PATH and /dev/fuse opens, else the copying snapshotter. All three keep one store format
 * (overlay.ts), so the choice can differ from one command to the next. Chosen once per process
 * and store; every part of Strata that unpacks, mounts or diffs layers gets its snapshotter here.
 */
import { constants } from "node:fs";
import { access, open } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { StrataError } from "../errors/error.ts";
import type { ContentStore } from "../store/content.ts";
import type { StoreLayout } from "../store/layout.ts";
import { FuseOverlaySnapshotter } from "./fuse-overlay.ts";
import { NativeSnapshotter } from "./native.ts";
import { OverlaySnapshotter } from "./overlay.ts";
import { checkOverlay } from "./overlay-probe.ts";

export const SNAPSHOTTERS = ["overlayfs", "fuse-overlayfs", "native"] as const;
export type SnapshotterName = (typeof SNAPSHOTTERS)[number];

/** Why fuse-overlayfs cannot be used here, or undefined when it can. */
export async function fuseUnavailable(): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  const found = await Promise.all([...dirs, "/usr/bin", "/bin"].map((d) => access(join(d, "fuse-overlayfs"), constants.X_OK).then(() => true, () => false)));
  if (!found.includes(true)) return "the fuse-overlayfs binary is not on PATH (apt-get install fuse-overlayfs)";
  try {
    await (await open("/dev/fuse", "r+")).close();
  } catch (e) {
    return `/dev/fuse cannot be opened (${(e as NodeJS.ErrnoException).code ?? "error"})`;
  }
  return undefined;
}

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

async function choose(layout: StoreLayout): Promise<SnapshotterName> {
  const forced = process.env.STRATA_SNAPSHOTTER;
  if (forced !== undefined && forced !== "") {
    if (!(SNAPSHOTTERS as readonly string[]).includes(forced)) throw new StrataError("ENV_SNAPSHOTTER", `STRATA_SNAPSHOTTER=${forced} names no snapshotter: use overlayfs, fuse-overlayfs or native, or unset it`);
    const reason = forced === "overlayfs" ? await checkOverlay(layout).then(() => undefined, why) : forced === "fuse-overlayfs" ? await fuseUnavailable() : undefined;
    if (reason !== undefined) throw new StrataError("ENV_SNAPSHOTTER", `STRATA_SNAPSHOTTER=${forced} cannot be used here: ${reason}; unset it to fall back to another`);
    return forced as SnapshotterName;
  }
  if (await checkOverlay(layout).then(() => true, () => false)) return "overlayfs";
  return (await fuseUnavailable()) === undefined ? "fuse-overlayfs" : "native";
}

const chosen = new Map<string, Promise<SnapshotterName>>();

/** The snapshotter name for the store (see the header); ENV_SNAPSHOTTER for a bad STRATA_SNAPSHOTTER. */
export function snapshotterName(layout: StoreLayout): Promise<SnapshotterName> {
  let p = chosen.get(layout.root);
  if (p === undefined) {
    p = choose(layout);
    chosen.set(layout.root, p);
  }
  return p;
}

/** An instance of the named snapshotter. */
export function snapshotterOf(name: SnapshotterName, layout: StoreLayout, content: ContentStore): OverlaySnapshotter {
  if (name === "fuse-overlayfs") return new FuseOverlaySnapshotter(layout, content);
  if (name === "native") return new NativeSnapshotter(layout, content);
  return new OverlaySnapshotter(layout, content);
}

/** The store's snapshotter. */
export async function snapshotterFor(store: { readonly layout: StoreLayout; readonly content: ContentStore }): Promise<OverlaySnapshotter> {
  return snapshotterOf(await snapshotterName(store.layout), store.layout, store.content);
}
