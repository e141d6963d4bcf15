import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ownerAlive, SELF } from "../fs/owner.ts";
import type { StoreLayout } from "./layout.ts";

/**
 * Leases, as containerd's: what a live strata process has written or is about to use, gc and
 * prune never delete. Each process that touches a store holds one lease file,
 * leases/<owner>-<rand> (owner: fs/owner.ts's pid and start time), one digest per line: every
 * blob or snapshot it asked about (`has`, `stat`) or committed. The file goes when the process
 * exits; one whose owner died (kill -9) has expired, and gc or the next start removes it.
 *
 * The ordering that makes it safe without a lock on every read. A user appends the digest to its
 * lease, then waits while a collection is running (the marker gc-running names a live owner),
 * then looks at the blob. A collection writes the marker, then reads the leases, then deletes,
 * then removes the marker. A user who saw no marker appended before the collection read the
 * leases, so its digest is kept. A user who waited sees the deletions done, and treats a missing
 * blob as missing: it fetches or rebuilds it, and that commit is leased too.
 */
export class Lease {
  readonly #layout: StoreLayout;
  readonly #held = new Set<string>();
  #file: string | undefined;

  constructor(layout: StoreLayout) {
    this.#layout = layout;
  }

  /** Leases `digests` (sha256:… names of blobs, or of snapshots by diffID), then waits out a running collection. */
  async hold(...digests: string[]): Promise<void> {
    const fresh = digests.filter((d) => !this.#held.has(d));
    const file = fresh.length > 0 ? this.#path() : undefined;
    if (file !== undefined) {
      // Synchronous: the line is in the file before anything else of this process looks at the store.
      appendFileSync(file, fresh.map((d) => `${d}\n`).join(""));
      for (const d of fresh) this.#held.add(d);
    }
    await waitForCollection(this.#layout);
  }

  /** The lease file, made on first use; none on a store this process cannot write (nothing it does there needs one). */
  #path(): string | undefined {
    if (this.#file === undefined && !this.#readOnly) {
      const file = join(this.#layout.leases, `${SELF}-${randomBytes(4).toString("hex")}`);
      try {
        mkdirSync(this.#layout.leases, { recursive: true });
        appendFileSync(file, "");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EROFS" && code !== "EACCES" && code !== "EPERM") throw e;
        this.#readOnly = true;
        return undefined;
      }
      this.#file = file;
      process.once("exit", () => this.release());
    }
    return this.#file;
  }
  #readOnly = false;

  /** Ends the lease (at exit; a test may end it sooner). */
  release(): void {
    if (this.#file !== undefined) rmSync(this.#file, { force: true });
    this.#file = undefined;
    this.#held.clear();
  }

  /** The file of this lease, if it has one: a collection run by this process ignores its own lease. */
  get file(): string | undefined {
    return this.#file;
  }
}

const leases = new Map<string, Lease>();

/** This process's lease on the store at `layout`. */
export function leaseOf(layout: StoreLayout): Lease {
  let l = leases.get(layout.root);
  if (l === undefined) {
    l = new Lease(layout);
    leases.set(layout.root, l);
  }
  return l;
}

/** What the live leases of other processes name; expired leases (dead owners) are removed. */
export async function leasedDigests(layout: StoreLayout): Promise<Set<string>> {
  const out = new Set<string>();
  const own = leases.get(layout.root)?.file;
  for (const name of await readdir(layout.leases).catch(() => [] as string[])) {
    const path = join(layout.leases, name);
    if (path === own) continue;
    if (!ownerAlive(name.split("-")[0] as string)) {
      await rm(path, { force: true });
      continue;
    }
    const text = await readFile(path, "utf8").catch(() => "");
    for (const line of text.split("\n")) if (/^sha256:[a-f0-9]{64}$/.test(line)) out.add(line);
  }
  return out;
}

/** Expired leases (their owner is dead), removed; the count. */
export async function expireLeases(layout: StoreLayout): Promise<number> {
  let n = 0;
  for (const name of await readdir(layout.leases).catch(() => [] as string[])) {
    if (ownerAlive(name.split("-")[0] as string)) continue;
    await rm(join(layout.leases, name), { force: true });
    n++;
  }
  return n;
}

/** Runs `fn` as a collection: the marker is written before `fn` reads any lease and removed after it deleted. */
export async function asCollection<T>(layout: StoreLayout, fn: () => Promise<T>): Promise<T> {
  await writeFile(layout.gcMarker, SELF);
  try {
    return await fn();
  } finally {
    await rm(layout.gcMarker, { force: true });
  }
}

async function waitForCollection(layout: StoreLayout): Promise<void> {
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const owner = await readFile(layout.gcMarker, "utf8").catch(() => undefined);
    // No marker, one being written (empty), one of this process, or one a dead collection left.
    if (owner === undefined || owner === "" || owner === SELF || !ownerAlive(owner)) return;
    await sleep(delay);
  }
}
