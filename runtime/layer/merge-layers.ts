/**
 * mergeLayers: the per-step layer tars of RUNs that share one image layer → that one layer.
 *
 * The result is what applying the diffs in order gives, as one diff against the filesystem
 * below the group: for each path the newest step's entry, nothing a later step deleted,
 * whiteouts and opaque directories resolved. Our own code because no library merges OCI
 * layer diffs; it stands on this folder's binary-safe tar reader and header encoder.
 *
 * Two passes over the inputs (uncompressed tar files as write-layer.ts writes them, oldest
 * first):
 * 1. Index: every layer's headers are read, seeking over the bodies, and, newest layer first, each
 *    entry is kept or dropped. An entry is hidden by a newer entry at the same path, by a
 *    newer whiteout of it or of a parent, by a newer opaque directory above it, or by a
 *    newer non-directory at a parent's path. A kept whiteout stays only when the filesystem
 *    below the group has something at its path, a kept opaque marker only when it has a
 *    directory there (`below`): nothing is whited out that only the group itself created.
 * 2. Write: each input is sorted by name bytes (directories with their trailing "/"), so a
 *    k-way merge of the indexes gives the output in that same order, parents first. Kept
 *    entries are copied from the input files as they are, headers and bodies, runs of
 *    neighbouring entries of one input as one range (a big layer merged with small ones is
 *    mostly one copy); nothing is held in memory but the index. A hardlink whose
 *    target a newer step replaced or deleted becomes a regular file with the target's bytes,
 *    and later links to the same target point to it.
 * Measured here on a 308 MB layer merged with a small one: 0.44 s to write (0.2 s more to
 * commit), where streaming both through the tar reader twice took 1.8 s. What is left is
 * hashing and writing the bytes: an apt-get layer of 189 MB (818 entries) indexes in 0.15 s
 * and writes in 0.4–0.7 s.
 *
 * Deterministic: the output depends only on the inputs' bytes and on `below`; times are the
 * inputs' (already clamped to SOURCE_DATE_EPOCH when the steps were written).
 */
import { type FileHandle, open } from "node:fs/promises";
import { LayerError } from "./errors.ts";
import { BLOCK, encodeHeader, padding, type TarEntry } from "./tar-format.ts";
import { TarReader } from "./tar-reader.ts";
import { type DigestingSink, TarOut } from "./tar-out.ts";

export interface MergeLayersInput {
  /** The per-step layer tar files (uncompressed), oldest first. */
  readonly layers: readonly string[];
  /** What the filesystem below the group has at a path (relative, no trailing "/"; "" is its root). */
  readonly below: (path: string) => Promise<"dir" | "other" | undefined>;
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

interface Indexed {
  /** The path the entry is about, without a trailing "/": for a whiteout the removed path. */
  readonly path: string;
  readonly kind: "entry" | "whiteout" | "opaque";
  readonly type: TarEntry["type"];
  readonly linkname: string;
  readonly entry: TarEntry;
  /** Where its body starts in the layer file. */
  readonly body: number;
  /** The bytes it takes in the layer file, extension headers to body padding: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The name as it sorts in the tar (directories with their "/"). */
  readonly key: Buffer;
}

/** What pass 2 does with one input entry. */
type Fate = { readonly keep: false } | { readonly keep: true; readonly asFileFrom?: Indexed; readonly linkname?: string };

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

function classify(e: TarEntry, start: number, body: number): Indexed {
  const key = Buffer.from(e.type === "dir" && !e.name.endsWith("/") ? `${e.name}/` : e.name);
  return { ...what(e), entry: e, body, start, end: body + e.size + padding(e.size), key };
}

function what(e: TarEntry): Pick<Indexed, "path" | "kind" | "type" | "linkname"> {
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

async function indexLayer(fh: FileHandle): Promise<Indexed[]> {
  const reader = TarReader.ofFile(fh);
  const out: Indexed[] = [];
  let start = 0;
  for (let e = await reader.next(); e !== null; e = await reader.next()) {
    const x = classify(e, start, reader.position);
    out.push(x);
    start = x.end;
  }
  return out;
}

/** The identity of an entry for the newer layers' bookkeeping: a marker is apart from its directory. */
function slot(x: Indexed): string {
  return x.kind === "opaque" ? `${x.path}/${OPAQUE}` : x.path;
}

/** Pass 1: which entries of which layer survive, and how. */
async function decide(index: readonly Indexed[][], below: MergeLayersInput["below"]): Promise<Fate[][]> {
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
  const fates: Fate[][] = index.map(() => []);
  for (let k = index.length - 1; k >= 0; k--) {
    const entries = index[k] as Indexed[];
    const fate = fates[k] as Fate[];
    const kept = entries.map((x) => !hidden(x));
    for (const [n, x] of entries.entries()) {
      if (!kept[n]) fate[n] = { keep: false };
      else if (x.kind === "whiteout") fate[n] = { keep: (await below(x.path)) !== undefined };
      else if (x.kind === "opaque") fate[n] = { keep: (await below(x.path)) === "dir" };
      else fate[n] = { keep: true };
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
 * the target's bytes, the others link to it.
 */
function relink(entries: readonly Indexed[], kept: readonly boolean[], fate: Fate[]): void {
  const at = new Map(entries.map((x, n) => [x.kind === "entry" ? x.path : "", n]));
  const moved = new Map<number, string>();
  for (const [n, x] of entries.entries()) {
    if (!kept[n] || x.kind !== "entry" || x.type !== "link") continue;
    const t = at.get(x.linkname);
    if (t === undefined || kept[t]) continue;
    const first = moved.get(t);
    if (first !== undefined) {
      fate[n] = { keep: true, linkname: first };
      continue;
    }
    moved.set(t, x.entry.name);
    fate[n] = { keep: true, asFileFrom: entries[t] as Indexed };
  }
}

/** Merges the layers into `sink` (a content-store writer, whose digest is the diffID). */
export async function mergeLayers(input: MergeLayersInput, sink: DigestingSink): Promise<{ diffId: string; size: number }> {
  const files: FileHandle[] = [];
  try {
    for (const path of input.layers) files.push(await open(path, "r"));
    const index: Indexed[][] = [];
    for (const fh of files) index.push(await indexLayer(fh));
    const fates = await decide(index, input.below);
    const out = new TarOut({ reusesBuffer: true, write: (c) => sink.write(c) }, false);
    const next = index.map(() => 0);
    /** The range of one input copied next: neighbouring kept entries grow it. */
    let run: { k: number; from: number; to: number } | undefined;
    const flush = async (): Promise<void> => {
      if (run !== undefined) await out.file(files[run.k] as FileHandle, run.to - run.from, input.layers[run.k] as string, run.from);
      run = undefined;
    };
    for (;;) {
      let k = -1;
      for (let m = 0; m < index.length; m++) {
        const x = index[m]?.[next[m] as number];
        if (x !== undefined && (k < 0 || Buffer.compare(x.key, (index[k] as Indexed[])[next[k] as number]?.key as Buffer) < 0)) k = m;
      }
      if (k < 0) break;
      const n = next[k] as number;
      next[k] = n + 1;
      const x = (index[k] as Indexed[])[n] as Indexed;
      const fate = fates[k]?.[n] ?? { keep: false };
      if (!fate.keep) continue;
      const fh = files[k] as FileHandle;
      if (fate.asFileFrom === undefined && fate.linkname === undefined) {
        if (run !== undefined && run.k === k && run.to === x.start) run.to = x.end;
        else {
          await flush();
          run = { k, from: x.start, to: x.end };
        }
        continue;
      }
      await flush();
      if (fate.asFileFrom !== undefined) {
        const from = fate.asFileFrom;
        await out.put(encodeHeader({ ...x.entry, type: "file", linkname: "", size: from.entry.size }));
        await out.file(fh, from.entry.size, x.entry.name, from.body);
        continue;
      }
      await out.put(encodeHeader({ ...x.entry, linkname: fate.linkname as string }));
    }
    await flush();
    await out.zeros(2 * BLOCK);
    await out.flush();
    return { diffId: sink.digest(), size: out.size };
  } finally {
    for (const fh of files) await fh.close();
  }
}
