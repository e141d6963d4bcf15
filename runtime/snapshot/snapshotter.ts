import type { Readable, Writable } from "node:stream";
import type { MountSpec } from "../fs/mount.ts";
import type { DigestingSink, WriteLayerOptions, WriteLayerResult } from "../layer/write-layer.ts";
import { StrataError } from "../errors/error.ts";

/**
 * The snapshotter contract (after containerd's snapshots.Snapshotter):
 * filesystems made of layers, each committed layer named by its diffID (the
 * sha256 of its uncompressed layer tar). specs/contracts/snapshotter.contract.ts
 * checks every implementation against what is written here.
 *
 * Lifecycle of a change: `prepare(parents)` gives an active snapshot: a
 * mount (as data) of the parents with a fresh, empty place for changes, and
 * a directory to mount it on (`merged`). The caller mounts it, changes
 * files, unmounts. Then either `diff` writes the change set as a layer tar
 * (OCI whiteouts for deletions) and `commit(active, diffId)` keeps the
 * changes as the committed snapshot of that diffID, or `discard` drops
 * them. Commit and discard both end the active snapshot: nothing of it is
 * left in the snapshotter's scratch space, and discard after commit is a
 * no-op (callers discard in a `finally`); commit or diff of an ended one is
 * SNAPSHOT_ENDED. Committing a diffID that is already committed is success
 * (the first one stays). A commit under another diffID than the one `diff`
 * computed for the snapshot (or, when `diff` was not called, its diff with
 * default options) is SNAPSHOT_DIFFID_MISMATCH: the diffID names the
 * content, and a snapshot never goes by a name its tar does not hash to.
 * Commit and diff of a snapshot that is still mounted are refused
 * (SNAPSHOT_MOUNTED).
 *
 * `view(parents)` is a read-only mount of committed snapshots (writes fail
 * with EROFS), ended by `discard`. Parents are listed bottom first, as an
 * image config lists diff_ids; one a prepare or view names that is not
 * committed is SNAPSHOT_NOT_FOUND.
 *
 * Committed snapshots come from a commit, or from a layer tar: `apply`
 * (a stream) or `unpack` (a blob of the content store, uncompressed or
 * gzip/zstd). Either way the tar must hash to the diffID it is committed as:
 * otherwise SNAPSHOT_DIFFID_MISMATCH, and nothing is committed. `has`,
 * `stat` and `list` look at committed snapshots; `remove` deletes one and
 * says whether it was there.
 */
export interface Snapshotter<A extends ActiveSnapshot = ActiveSnapshot> {
  has(diffId: string): Promise<boolean>;
  /** The committed snapshot of `diffId`, or undefined. */
  stat(diffId: string): Promise<SnapshotInfo | undefined>;
  /** Every committed snapshot, in no particular order. */
  list(): Promise<SnapshotInfo[]>;
  /** A writable snapshot over `parents` (bottom first). */
  prepare(parents: readonly string[]): Promise<A>;
  /** A read-only snapshot of `parents` (bottom first). */
  view(parents: readonly string[]): Promise<ActiveSnapshot>;
  /** Whether the (unmounted) active snapshot holds any change. */
  changed(active: A): Promise<boolean>;
  /**
   * Writes the active snapshot's changes as an uncompressed layer tar to `out`: a stream (ended
   * when the tar is complete), or a sink that hashes what it takes (a content-store writer: its
   * digest is the diffID, so the tar is hashed once). Returns the diffID and size.
   */
  diff(active: A, out: Writable | DigestingSink, options?: WriteLayerOptions): Promise<WriteLayerResult>;
  /** Keeps the active snapshot's changes as the committed snapshot `diffId` (what `diff` returned), and ends it. */
  commit(active: A, diffId: string): Promise<void>;
  /** Ends an active snapshot or a view, dropping its changes; unmounts what is still mounted on it. */
  discard(s: ActiveSnapshot): Promise<void>;
  /** Unpacks an uncompressed layer tar as a committed snapshot; reads all of `tar` even when the snapshot exists. Returns the diffID. */
  apply(tar: Readable | AsyncIterable<Uint8Array>, diffId?: string): Promise<string>;
  /** Makes sure `diffId` is committed, unpacking the content store's blob `blob` when it is not. */
  unpack(diffId: string, blob: string): Promise<void>;
  /** Deletes the committed snapshot; false when there was none. */
  remove(diffId: string): Promise<boolean>;
}

/** An active snapshot (prepare) or a view. */
export interface ActiveSnapshot {
  /** Unique among the snapshotter's active snapshots; names the runc container of a build step. */
  readonly id: string;
  /** Scratch space that belongs to the snapshot (a runc bundle, mount sources): removed when it ends. */
  readonly dir: string;
  /** An empty directory to mount it on. */
  readonly merged: string;
  readonly mount: MountSpec;
  readonly readonly: boolean;
}

export interface SnapshotInfo {
  readonly diffId: string;
  /** When it was committed. */
  readonly created: Date;
}

export class SnapshotError extends StrataError {
  declare readonly code: "SNAPSHOT_NOT_FOUND" | "SNAPSHOT_DIFFID_MISMATCH" | "SNAPSHOT_MOUNTED" | "SNAPSHOT_ENDED";
  constructor(code: SnapshotError["code"], message: string) {
    super(code, message);
  }
}
