/**
 * The index of a layer tar: each entry's header and where it lies in the file, read by
 * seeking over the bodies (TarReader.ofFile), and what the entry is about (a path, a
 * whiteout of one, an opaque marker). merge-layers.ts decides a merge from it. An index is a
 * function of the layer's bytes, so it can be saved beside the layer (hash-states.ts) and
 * read back instead of seeking through a big layer again: `toJson`/`fromJson`.
 */
import { type FileHandle, open } from "node:fs/promises";
import { LayerError } from "./errors.ts";
import { padding, type TarEntry } from "./tar-format.ts";
import { TarReader } from "./tar-reader.ts";

export const WHITEOUT = ".wh.";
export const OPAQUE = ".wh..wh..opq";

export interface Indexed {
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

export function parentOf(path: string): string {
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

export async function indexLayer(fh: FileHandle): Promise<Indexed[]> {
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


/** A layer file's index; `end` is where its entries end (its end-of-archive starts). */
export interface LayerIndex {
  readonly entries: readonly Indexed[];
  readonly end: number;
}

export async function indexLayerFile(path: string): Promise<LayerIndex> {
  const fh = await open(path, "r");
  try {
    const entries = await indexLayer(fh);
    return { entries, end: entries.at(-1)?.end ?? 0 };
  } finally {
    await fh.close();
  }
}

type EntryJson = [name: string, type: TarEntry["type"], mode: number, uid: number, gid: number, size: number, mtime: number, linkname: string, devmajor: number, devminor: number, xattrs: [string, string][], start: number, body: number];

export function indexToJson(index: LayerIndex): EntryJson[] {
  return index.entries.map(({ entry: e, start, body }) => [e.name, e.type, e.mode, e.uid, e.gid, e.size, e.mtime, e.linkname, e.devmajor, e.devminor, [...e.xattrs].map(([k, v]) => [k, v.toString("base64")]), start, body]);
}

/** The index `indexToJson` saved; undefined when it is not one. */
export function indexFromJson(json: unknown): LayerIndex | undefined {
  if (!Array.isArray(json)) return undefined;
  try {
    const entries = (json as EntryJson[]).map(([name, type, mode, uid, gid, size, mtime, linkname, devmajor, devminor, xattrs, start, body]) =>
      classify({ name, type, mode, uid, gid, size, mtime, linkname, devmajor, devminor, xattrs: new Map(xattrs.map(([k, v]) => [k, Buffer.from(v, "base64")])) }, start, body),
    );
    return { entries, end: entries.at(-1)?.end ?? 0 };
  } catch {
    return undefined;
  }
}
