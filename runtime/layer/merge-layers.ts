/**
 * mergeLayers: the per-step layer tars of RUNs that share one image layer → that one layer.
 *
 * The result is what applying the diffs in order gives, as one diff against the filesystem
 * below the group: for each path the newest step's entry, nothing a later step deleted,
 * whiteouts and opaque directories resolved. Our own code because no library merges OCI
 * layer diffs; it stands on this folder's binary-safe tar reader and header encoder.
 *
 * Two passes over the inputs (uncompressed tars as write-layer.ts writes them, oldest first):
 * 1. Index: every layer's headers are read (bodies skipped) and, newest layer first, each
 *    entry is kept or dropped. An entry is hidden by a newer entry at the same path, by a
 *    newer whiteout of it or of a parent, by a newer opaque directory above it, or by a
 *    newer non-directory at a parent's path. A kept whiteout stays only when the filesystem
 *    below the group has something at its path, a kept opaque marker only when it has a
 *    directory there (`below`): nothing is whited out that only the group itself created.
 * 2. Write: each input is sorted by name bytes (directories with their trailing "/"), so a
 *    k-way merge of the inputs' entry streams gives the output in that same order, parents
 *    first. Kept entries' headers and bodies are copied through; nothing is held in memory
 *    but the index. A hardlink whose target a newer step replaced or deleted becomes a
 *    regular file with the target's bytes (spooled to `scratch` when the target is read),
 *    and later links to the same target point to it.
 *
 * Deterministic: the output depends only on the inputs' bytes and on `below`; times are the
 * inputs' (already clamped to SOURCE_DATE_EPOCH when the steps were written).
 */
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { LayerError } from "./errors.ts";
import { BLOCK, encodeHeader, padding, type TarEntry } from "./tar-format.ts";
import { TarReader } from "./tar-reader.ts";
import { type DigestingSink, TarOut } from "./tar-out.ts";

export interface MergeLayersInput {
  /** Opens each per-step layer tar (uncompressed), oldest first. */
  readonly layers: readonly (() => Readable)[];
  /** What the filesystem below the group has at a path (relative, no trailing "/"; "" is its root). */
  readonly below: (path: string) => Promise<"dir" | "other" | undefined>;
  /** A directory for the bytes of hardlink targets that a later step replaced. */
  readonly scratch: string;
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

interface Indexed {
  /** The path the entry is about, without a trailing "/": for a whiteout the removed path. */
  readonly path: string;
  readonly kind: "entry" | "whiteout" | "opaque";
  readonly type: TarEntry["type"];
  readonly linkname: string;
}

/** What pass 2 does with one input entry. */
type Fate =
  | { readonly keep: false; readonly spool?: string }
  | { readonly keep: true; readonly asFileFrom?: string; readonly linkname?: string; readonly spool?: string };

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

function classify(e: TarEntry): Indexed {
  const name = e.name.endsWith("/") ? e.name.slice(0, -1) : e.name;
  if (name === "" || name.startsWith("/") || name.split("/").some((c) => c === ".." || c === ".")) {
    throw new LayerError("LAYER_BAD_TAR", e.name, "a per-step layer has a path that is not plain and relative");
  }
  const dir = parentOf(name);
  const base = name.slice(dir.length === 0 ? 0 : dir.length + 1);
  if (base === OPAQUE) return { path: dir, kind: "opaque", type: e.type, linkname: e.linkname };
  if (base.startsWith(WHITEOUT)) return { path: dir === "" ? base.slice(WHITEOUT.length) : `${dir}/${base.slice(WHITEOUT.length)}`, kind: "whiteout", type: e.type, linkname: e.linkname };
  return { path: name, kind: "entry", type: e.type, linkname: e.linkname.endsWith("/") ? e.linkname.slice(0, -1) : e.linkname };
}

async function indexLayer(open: () => Readable): Promise<Indexed[]> {
  const reader = new TarReader(open());
  const out: Indexed[] = [];
  try {
    for (let e = await reader.next(); e !== null; e = await reader.next()) out.push(classify(e));
  } finally {
    await reader.close();
  }
  return out;
}

/** The identity of an entry for the newer layers' bookkeeping: a marker is apart from its directory. */
function slot(x: Indexed): string {
  return x.kind === "opaque" ? `${x.path}/${OPAQUE}` : x.path;
}

/** Pass 1: which entries of which layer survive, and how. */
async function decide(index: readonly Indexed[][], below: MergeLayersInput["below"]): Promise<Map<string, Fate>[]> {
  const decided = new Set<string>();
  /** Paths whose descendants older layers may not contribute. */
  const cut = new Set<string>();
  const hidden = (x: Indexed): boolean => {
    if (decided.has(slot(x))) return true;
    for (let p = x.kind === "opaque" ? x.path : parentOf(x.path); ; p = parentOf(p)) {
      if (p !== "" && cut.has(p)) return true;
      if (p === "") return false;
    }
  };
  const fates: Map<string, Fate>[] = index.map(() => new Map());
  for (let k = index.length - 1; k >= 0; k--) {
    const entries = index[k] as Indexed[];
    const fate = fates[k] as Map<string, Fate>;
    const kept = entries.map((x) => !hidden(x));
    for (const [n, x] of entries.entries()) {
      if (!kept[n]) {
        fate.set(String(n), { keep: false });
        continue;
      }
      if (x.kind === "whiteout") fate.set(String(n), { keep: (await below(x.path)) !== undefined });
      else if (x.kind === "opaque") fate.set(String(n), { keep: (await below(x.path)) === "dir" });
      else fate.set(String(n), { keep: true });
    }
    relink(entries, kept, fate);
    for (const x of entries) {
      decided.add(slot(x));
      if (x.kind !== "entry" || x.type !== "dir") cut.add(x.path);
    }
  }
  return fates;
}

/**
 * Hardlinks of one layer whose target was hidden: the first kept one becomes a file with
 * the target's bytes (spooled when the target goes by), the others link to it.
 */
function relink(entries: readonly Indexed[], kept: readonly boolean[], fate: Map<string, Fate>): void {
  const at = new Map(entries.map((x, n) => [x.kind === "entry" ? x.path : "", n]));
  const moved = new Map<number, string>();
  for (const [n, x] of entries.entries()) {
    if (!kept[n] || x.kind !== "entry" || x.type !== "link") continue;
    const t = at.get(x.linkname);
    if (t === undefined || kept[t]) continue;
    const first = moved.get(t);
    if (first !== undefined) {
      fate.set(String(n), { keep: true, linkname: first });
      continue;
    }
    moved.set(t, x.path);
    const spool = `t${t}`;
    fate.set(String(t), { ...(fate.get(String(t)) as Fate), spool });
    fate.set(String(n), { keep: true, asFileFrom: spool });
  }
}

interface Head {
  readonly reader: TarReader;
  entry: TarEntry | null;
  key: Buffer;
  n: number;
}

async function advance(h: Head): Promise<void> {
  h.entry = await h.reader.next();
  h.n++;
  if (h.entry !== null) h.key = Buffer.from(h.entry.type === "dir" && !h.entry.name.endsWith("/") ? `${h.entry.name}/` : h.entry.name);
}

/** Merges the layers into `out` (a content-store writer, whose digest is the diffID). */
export async function mergeLayers(input: MergeLayersInput, sink: DigestingSink): Promise<{ diffId: string; size: number }> {
  const index: Indexed[][] = [];
  for (const layer of input.layers) index.push(await indexLayer(layer));
  const fates = await decide(index, input.below);
  const out = new TarOut({ reusesBuffer: true, write: (c) => sink.write(c) }, false);
  const spools = new Map<string, { path: string; size: number }>();
  let spoolDir: string | undefined;
  const heads: Head[] = input.layers.map((open) => ({ reader: new TarReader(open()), entry: null, key: Buffer.alloc(0), n: -1 }));
  try {
    for (const h of heads) await advance(h);
    for (;;) {
      let min: Head | undefined;
      for (const h of heads) if (h.entry !== null && (min === undefined || Buffer.compare(h.key, min.key) < 0)) min = h;
      if (min === undefined) break;
      const k = heads.indexOf(min);
      const e = min.entry as TarEntry;
      const fate = fates[k]?.get(String(min.n)) ?? { keep: false };
      if (fate.spool !== undefined) {
        spoolDir ??= await mkdtemp(join(input.scratch, "merge-"));
        const path = join(spoolDir, `${k}-${fate.spool}`);
        const fh = await open(path, "wx", 0o600);
        try {
          for await (const chunk of min.reader.body()) await fh.write(chunk);
        } finally {
          await fh.close();
        }
        spools.set(`${k}:${fate.spool}`, { path, size: e.size });
      }
      if (fate.keep) await emit(out, e, min.reader, fate.asFileFrom === undefined ? undefined : spools.get(`${k}:${fate.asFileFrom}`), fate.linkname);
      await advance(min);
    }
    await out.zeros(2 * BLOCK);
    await out.flush();
  } finally {
    for (const h of heads) await h.reader.close();
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  }
  return { diffId: sink.digest(), size: out.size };
}

async function emit(out: TarOut, e: TarEntry, reader: TarReader, asFile: { path: string; size: number } | undefined, linkname: string | undefined): Promise<void> {
  if (asFile !== undefined) {
    await out.put(encodeHeader({ ...e, type: "file", linkname: "", size: asFile.size }));
    for await (const chunk of createReadStream(asFile.path)) await out.put(chunk as Buffer);
    await out.zeros(padding(asFile.size));
    return;
  }
  await out.put(encodeHeader(linkname === undefined ? e : { ...e, linkname }));
  for await (const chunk of reader.body()) await out.put(chunk);
  await out.zeros(padding(e.size));
}
