/**
 * What an archive is, by its content (never its name): a tar, possibly compressed with gzip,
 * bzip2, xz or zstd. The compression is told by magic bytes and the decompressed start must be
 * a valid tar header (as Go's tar.Reader.Next() accepts it; BuildKit's isArchivePath). gzip and
 * zstd use node:zlib; bzip2 and xz the system `bzip2` and `xz`. ADD (engine/exec/copy/archive.ts)
 * and a build context given as a tarball (engine/input/) both ask this module.
 */
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";

export type Compression = "none" | "gzip" | "bzip2" | "xz" | "zstd";

function compressionOf(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.subarray(0, 3).toString("latin1") === "BZh") return "bzip2";
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return "xz";
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return "zstd";
  return "none";
}

/** The decompressed byte stream of `path` (unbounded: the caller limits what it reads). */
export function decompressedFile(path: string, c: Compression): Readable {
  const raw = createReadStream(path);
  if (c === "none") return raw;
  if (c === "gzip") return raw.pipe(createGunzip());
  if (c === "zstd") return raw.pipe(createZstdDecompress());
  const child = spawn(c, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  raw.pipe(child.stdin);
  child.stdin.on("error", () => {});
  child.on("error", (e: NodeJS.ErrnoException) => child.stdout.destroy(new Error(e.code === "ENOENT" ? `${c} is not installed (it is needed to read ${c}-compressed archives)` : `${c}: ${e.message}`)));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.on("close", (code, signal) => {
    if (code !== 0 && signal === null) child.stdout.destroy(new Error(`${c}: ${stderr.trim() || `exit code ${code}`}`));
  });
  const out = child.stdout as Readable & { kill?: () => void };
  out.on("close", () => {
    if (child.exitCode === null) child.kill();
    raw.destroy();
  });
  return out;
}

/** Whether a 512-byte block is a tar header with a valid checksum. */
export function isTarHeader(b: Buffer): boolean {
  if (b.length < 512 || b.every((x) => x === 0)) return false;
  const field = b.subarray(148, 156).toString("latin1").replace(/[\0 ]+$/g, "").trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const want = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : (b[i] as number);
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return want === unsigned || want === signed;
}

async function readHead(s: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of s) {
      parts.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      if (got >= n) break;
    }
  } catch {
    // A truncated or corrupt stream is simply not an archive.
  } finally {
    s.destroy();
  }
  return Buffer.concat(parts).subarray(0, n);
}

/** The compression of `path` when it is a (possibly compressed) tar archive, else undefined. */
export async function archiveKind(path: string): Promise<Compression | undefined> {
  const fh = await open(path, "r");
  const head = Buffer.alloc(6);
  try {
    await fh.read(head, 0, 6, 0);
  } finally {
    await fh.close();
  }
  const c = compressionOf(head);
  return isTarHeader(await readHead(decompressedFile(path, c), 512)) ? c : undefined;
}

