import { readdir, readFile, readlink, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { hexOf } from "./layout.ts";
import type { Descriptor } from "./content-store.ts";
import { isIndexType } from "./image-index.ts";
import type { ImageConfigJson, IndexJson, ManifestJson } from "./oci.ts";
import type { Store } from "./store.ts";
import { asCollection, leasedDigests } from "./leases.ts";
import { withLock } from "./lock.ts";

/**
 * Garbage collection: what no image (and, unless asked, no build cache
 * record) needs is deleted: blobs, unpacked layers, cache records, saved
 * hash states, cache mounts. What other live strata processes hold leases on
 * (leases.ts: what a build, pull, load or import wrote or uses) is kept, so a
 * collection runs beside them without failing them; it runs under the store
 * lock (one at a time) and as a collection (leases.ts's ordering).
 */
export interface GcOptions {
  /** Also drop the build cache: cache records and the layers only they keep. */
  readonly buildCache: boolean;
  /** With buildCache: only the records last written before this time (ms since the epoch; prune's until=). */
  readonly buildCacheBefore?: number;
  /** Also delete RUN --mount=type=cache directories. */
  readonly cacheMounts: boolean;
  /** Layers something outside the store's names still uses (containers' images). */
  readonly inUse?: Iterable<string>;
}

export interface GcResult {
  readonly blobs: number;
  readonly snapshots: number;
  readonly cacheRecords: number;
  /** The deleted cache records' names (their cache keys), for prune's "Deleted build cache objects". */
  readonly cacheRecordNames: readonly string[];
  readonly bytes: number;
}

/**
 * Blobs every named image needs: manifests, configs, layers; and its
 * diffIDs, which name its unpacked layers (a pulled layer's blob is the
 * registry's compressed one, its snapshot goes by the diffID).
 */
export async function referencedBlobs(store: Store, only?: (imageId: string) => boolean): Promise<Set<string>> {
  const keep = new Set<string>();
  for (const { descriptor } of await store.refs.list()) {
    if (!isIndexType(descriptor.mediaType)) {
      await keepImage(store, descriptor, keep, only);
      continue;
    }
    // An image index (image-index.ts) keeps itself and every platform's image it lists.
    const index = await store.content.readJson<IndexJson>(descriptor.digest).catch(() => undefined);
    let kept = false;
    for (const child of index?.manifests ?? []) kept = (await keepImage(store, child, keep, only)) || kept;
    if (kept || !only) keep.add(descriptor.digest);
  }
  return keep;
}

/** Adds one image manifest's blobs (manifest, config, layers, diffIDs) to `keep`, unless `only` leaves it out; whether it kept them. */
async function keepImage(store: Store, descriptor: Descriptor, keep: Set<string>, only: ((imageId: string) => boolean) | undefined): Promise<boolean> {
  const m = await store.content.readJson<ManifestJson>(descriptor.digest).catch(() => undefined);
  if (only && (!m || !only(m.config.digest))) return false;
  keep.add(descriptor.digest);
  if (!m) return true;
  keep.add(m.config.digest);
  for (const l of m.layers) keep.add(l.digest);
  const c = await store.content.readJson<ImageConfigJson>(m.config.digest).catch(() => undefined);
  for (const d of c?.rootfs?.diff_ids ?? []) keep.add(d);
  return true;
}

export async function collectGarbage(store: Store, o: GcOptions): Promise<GcResult> {
  return withLock(store.layout.lockFile, () => asCollection(store.layout, () => collect(store, o)));
}

async function collect(store: Store, o: GcOptions): Promise<GcResult> {
  // Leases before names: a process that names its result and exits between the two reads is seen in one of them.
  const leased = await leasedDigests(store.layout);
  const keep = await referencedBlobs(store);
  for (const d of leased) keep.add(d);
  for (const d of o.inUse ?? []) keep.add(d);
  const cacheRecordNames: string[] = [];
  for (const name of await readdir(store.layout.cache).catch(() => [] as string[])) {
    const path = join(store.layout.cache, name);
    const rec = JSON.parse(await readFile(path, "utf8").catch(() => "{}")) as { diffId?: string | null };
    const old = o.buildCacheBefore === undefined || ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0) < o.buildCacheBefore;
    if ((o.buildCache && old) || rec.diffId === undefined) {
      await rm(path, { force: true });
      cacheRecordNames.push(name.replace(/\.json$/, ""));
    } else if (rec.diffId !== null) keep.add(rec.diffId);
  }
  // A kept layer keeps its remembered compressed forms (compressed.ts): they save recompressing on the next save or push.
  for (const name of await readdir(join(store.layout.root, "compressed")).catch(() => [] as string[])) {
    const m = /^([a-f0-9]{64})\.\w+\.json$/.exec(name);
    if (!m || !keep.has(`sha256:${m[1]}`)) continue;
    const rec = JSON.parse(await readFile(join(store.layout.root, "compressed", name), "utf8").catch(() => "{}")) as { digest?: string };
    if (rec.digest) keep.add(rec.digest);
  }
  let blobs = 0;
  let bytes = 0;
  for await (const blob of store.content.list()) {
    if (keep.has(blob.digest) || !(await store.content.delete(blob.digest))) continue;
    bytes += blob.size;
    blobs++;
  }
  const keepHex = new Set([...keep].map(hexOf));
  // Saved hash states (hash-states.ts) go with their blobs.
  for (const name of await readdir(store.layout.hashStates).catch(() => [] as string[])) {
    if (!keepHex.has(name.split(".")[0] as string)) await rm(join(store.layout.hashStates, name), { force: true });
  }
  let snapshots = 0;
  const links = join(store.layout.snapshots, "l");
  for (const hex of await readdir(store.layout.snapshots).catch(() => [] as string[])) {
    if (hex === "l" || keepHex.has(hex)) continue;
    // Its short link first, and only if it is this snapshot's: a snapshot is never left without one.
    const link = join(links, hex.slice(0, 16));
    if ((await readlink(link).catch(() => undefined)) === `../${hex}/fs`) await rm(link, { force: true });
    await rm(join(store.layout.snapshots, hex), { recursive: true, force: true });
    snapshots++;
  }
  // Links left dangling (a crash between link and rename): kept while their snapshot is wanted or leased.
  for (const name of await readdir(links).catch(() => [] as string[])) {
    const hex = /^\.\.\/([a-f0-9]{64})\/fs$/.exec((await readlink(join(links, name)).catch(() => "")) ?? "")?.[1];
    if (hex !== undefined && (keepHex.has(hex) || (await stat(join(store.layout.snapshots, hex)).catch(() => undefined)))) continue;
    await rm(join(links, name), { force: true });
  }
  if (o.cacheMounts) await rm(join(store.layout.root, "cache-mounts"), { recursive: true, force: true });
  return { blobs, snapshots, cacheRecords: cacheRecordNames.length, cacheRecordNames, bytes };
}
