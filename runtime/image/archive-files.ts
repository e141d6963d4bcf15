/**
 * The files of an archive being loaded (load.ts): every file streamed into the staging area
 * (staging.ts) under the digest its bytes hash to, never the name it came with; a compressed file
 * decompressed on the way (its raw digest kept too), the small ones (the JSON documents) kept in
 * memory. manifest.json and index.json, and every manifest and config, are read only up to their
 * limits (layer/limits.ts, exit 4); a descriptor's blob must have the descriptor's size.
 */
import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract as tarExtract } from "tar-stream";
import type { Descriptor } from "../store/content-store.ts";
import { decompressed, readHead, sniffCompression } from "../layer/decompress.ts";
import { limit, LimitError, type LimitName } from "../layer/limits.ts";
import { LoadDigestError, LoadError } from "./load-plan.ts";
import type { Staging } from "./staging.ts";
import { StrataError } from "../errors/error.ts";

export interface Entry {
  /** sha256 of the bytes as they are in the archive. */
  readonly raw: { digest: string; size: number };
  /** sha256 of what was stored (the decompressed bytes for a compressed file). */
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer | undefined;
}

export type ArchiveFiles = Map<string, Entry>;

/** Small files are kept in memory as they are staged (the JSON documents), up to KEPT_TOTAL in all. */
const KEEP = 1 << 20;
const KEPT_TOTAL = 32 << 20;
const ARCHIVE_JSON = new Set(["manifest.json", "index.json"]);

async function* withHead(head: Buffer, it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
}

/** The archive's files, staged; a stream that is not a (compressed) tar is refused as such. */
export async function readEntries(input: Readable, staging: Staging): Promise<ArchiveFiles> {
  try {
    return await stageEntries(input, staging);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    throw new LoadError(`not a readable tar archive (${(e as Error).message}); nothing stored`);
  }
}

async function stageEntries(input: Readable, staging: Staging): Promise<ArchiveFiles> {
  const files: ArchiveFiles = new Map();
  let kept = 0;
  const { stream } = await decompressed(input, { subject: "archive" });
  const ex = tarExtract();
  const feeding = pipeline(stream, ex);
  feeding.catch(() => undefined);
  for await (const entry of ex) {
    const name = entry.header.name.replace(/^(\.\/)+/, "").replace(/^\/+/, "");
    if (entry.header.type !== "file" && entry.header.type !== "contiguous-file") {
      entry.resume();
      continue;
    }
    const declared = entry.header.size ?? 0;
    if (ARCHIVE_JSON.has(name) && declared > limit("archiveJsonBytes")) throw new LimitError("archiveJsonBytes", `${name} in the archive`, `${declared} bytes`);
    const it = (entry as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const head = await readHead(it);
    const compression = sniffCompression(head);
    const keep: Buffer[] | undefined = compression === null && declared <= KEEP && kept + declared <= KEPT_TOTAL ? [] : undefined;
    if (keep) kept += declared;
    const source = keep
      ? (async function* () {
          for await (const c of withHead(head, it)) {
            keep.push(Buffer.from(c));
            yield c;
          }
        })()
      : withHead(head, it);
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    const label = named ? `blob sha256:${named[1]} in the archive` : `${name} in the archive`;
    const r = await staging.ingest(source, { label, digest: named ? `sha256:${named[1]}` : undefined }, compression).catch((e: Error) => {
      throw named && e.message.includes("hash to") ? new LoadDigestError(`blob ${name} does not match its name (${e.message}); nothing stored`) : e;
    });
    files.set(name, { raw: r.raw, digest: r.digest, size: r.size, bytes: keep ? Buffer.concat(keep) : undefined });
  }
  await feeding;
  return files;
}

/** A JSON document of the archive, in memory: refused past its limit before it is read. */
export async function bytesOf(staging: Staging, files: ArchiveFiles, path: string, what: string, max: LimitName = "documentBytes"): Promise<Buffer> {
  const e = files.get(path);
  if (!e) throw new LoadError(`the archive has no ${path} (${what})`);
  if (e.size > limit(max)) throw new LimitError(max, `${path} in the archive (${what})`, `${e.size} bytes`);
  if (e.bytes) return e.bytes;
  return readFile(staging.path(e.digest));
}

/** The archive path of a descriptor's blob; a digest that is not sha256:<64 hex> is refused. */
export function blobPath(digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new LoadError(`descriptor digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>; refused`);
  return `blobs/sha256/${digest.slice(7)}`;
}

/** The archive's entry for a descriptor, whose size must be the descriptor's. */
export function described(files: ArchiveFiles, d: Descriptor, what: string): Entry | undefined {
  const e = files.get(blobPath(d.digest));
  if (e && e.raw.size !== d.size) throw new LoadDigestError(`${what} ${d.digest} is ${e.raw.size} bytes in the archive, but its descriptor says ${d.size}; refused, nothing stored`);
  return e;
}
