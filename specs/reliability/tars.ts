/**
 * Hostile tars and archives for the battery (limits, archives): tar bytes from a list of
 * entries (the runtime's own header encoder, so any name can be written), docker-archives
 * around given layers, and bombs built from repeated compressed pieces, so that a 10 GiB
 * expansion costs milliseconds to make: gzip members concatenate into one valid stream
 * (RFC 1952 §2.2), and a zstd frame of RLE blocks (RFC 8878 §3.1.1.2) repeats one byte
 * 128 KiB at a time in 4 bytes (node's zstd reads only the first of several frames).
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { BLOCK, encodeHeader, type EntryType, padding } from "../../runtime/layer/tar-format.ts";

export interface Item {
  readonly name: string;
  readonly type?: EntryType;
  readonly body?: string | Buffer;
  readonly linkname?: string;
  readonly size?: number;
}

/** One entry's header (and PAX records) for a body of `size` bytes. */
export function header(i: Item, size = 0): Buffer {
  return encodeHeader({
    name: i.name,
    type: i.type ?? "file",
    mode: i.type === "dir" ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: 1_700_000_000,
    linkname: i.linkname ?? "",
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
  });
}

/** A whole tar (with its two end blocks). */
export function tarOf(items: readonly Item[]): Buffer {
  const parts: Buffer[] = [];
  for (const i of items) {
    const body = i.body === undefined ? Buffer.alloc(0) : Buffer.from(i.body);
    parts.push(header(i, body.length), body, Buffer.alloc(padding(body.length)));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash("sha256").update(b).digest("hex")}`;
}

/**
 * A docker-archive (manifest.json + config + layers) around `layers`; `manifest` may replace
 * the manifest.json's Layers paths, `extra` adds entries as they are.
 */
export function dockerArchive(layers: readonly Buffer[], o: { tag?: string; layerPaths?: string[]; extra?: Item[]; manifestJson?: string } = {}): Buffer {
  const diffIds = layers.map((l) => sha256(l));
  const config = JSON.stringify({ architecture: process.arch === "x64" ? "amd64" : process.arch, os: "linux", config: {}, rootfs: { type: "layers", diff_ids: diffIds }, history: [] });
  const configName = `${sha256(config).slice(7)}.json`;
  const paths = layers.map((_, k) => `layer${k}/layer.tar`);
  const manifest = o.manifestJson ?? JSON.stringify([{ Config: configName, RepoTags: [o.tag ?? "hostile:latest"], Layers: o.layerPaths ?? paths }]);
  return tarOf([
    { name: "manifest.json", body: manifest },
    { name: configName, body: config },
    ...layers.map((l, k) => ({ name: paths[k] as string, body: l })),
    ...(o.extra ?? []),
  ]);
}

/** A gzip stream of a tar holding one file of `bytes` zeros (cut off after the zeros: a bomb is refused before its end). */
export function gzipBomb(bytes: number): Buffer {
  const piece = 64 << 20;
  const zeros = gzipSync(Buffer.alloc(piece), { level: 9 });
  const parts: Buffer[] = [gzipSync(header({ name: "bomb" }, bytes))];
  for (let n = 0; n < bytes; n += piece) parts.push(zeros);
  return Buffer.concat(parts);
}

/** One zstd frame: the tar header of one file of `bytes` zeros as a raw block, then RLE blocks of zeros. */
export function zstdBomb(bytes: number): Buffer {
  const MAX = 128 << 10;
  const hdr = header({ name: "bomb" }, bytes);
  // Magic, frame header descriptor 0 (no content size, no checksum), window 128 KiB (log 17 = 10 + 7).
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  const block = (last: boolean, type: number, size: number): Buffer => {
    const v = (last ? 1 : 0) | (type << 1) | (size << 3);
    return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]);
  };
  parts.push(block(false, 0, hdr.length), hdr);
  const n = Math.ceil(bytes / MAX);
  const rle = Buffer.concat([block(false, 1, MAX), Buffer.from([0])]);
  for (let k = 0; k < n - 1; k++) parts.push(rle);
  parts.push(block(true, 1, MAX), Buffer.from([0]));
  return Buffer.concat(parts);
}

/**
 * An oci-archive (oci-layout, index.json, blobs/sha256/…) of one image of `layers`
 * (uncompressed). `blobs` may replace a blob's bytes under its name (a blob whose name does
 * not match its content); `indexJson` replaces index.json.
 */
export function ociArchive(layers: readonly Buffer[], o: { name?: string; replace?: (digest: string, bytes: Buffer) => Buffer; indexJson?: Buffer } = {}): Buffer {
  const layerDescs = layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(l), size: l.length }));
  const config = Buffer.from(JSON.stringify({ architecture: process.arch === "x64" ? "amd64" : process.arch, os: "linux", config: {}, rootfs: { type: "layers", diff_ids: layerDescs.map((d) => d.digest) }, history: [] }));
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length }, layers: layerDescs }),
  );
  const index =
    o.indexJson ??
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256(manifest), size: manifest.length, annotations: { "org.opencontainers.image.ref.name": o.name ?? "hostile:oci" } }],
      }),
    );
  const blob = (b: Buffer): Item => {
    const d = sha256(b);
    return { name: `blobs/sha256/${d.slice(7)}`, body: o.replace ? o.replace(d, b) : b };
  };
  return tarOf([{ name: "oci-layout", body: '{"imageLayoutVersion":"1.0.0"}' }, { name: "index.json", body: index }, blob(manifest), blob(config), ...layers.map(blob)]);
}

/**
 * Writes a gzip-compressed tar of `n` empty files (1,000 to a directory) to `path`, streamed
 * (10⁶ headers are 512 MB of tar; gzip makes them a few MB).
 */
export async function writeManyEntries(path: string, n: number, nameOf: (k: number) => string = (k) => `d${Math.floor(k / 1000)}/f${k}`): Promise<void> {
  const { createWriteStream } = await import("node:fs");
  const { createGzip } = await import("node:zlib");
  const { pipeline } = await import("node:stream/promises");
  async function* blocks(): AsyncGenerator<Buffer> {
    let batch: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      if (k % 1000 === 0) batch.push(header({ name: `${nameOf(k).split("/").slice(0, -1).join("/")}/`, type: "dir" }));
      batch.push(header({ name: nameOf(k) }));
      if (batch.length >= 4096) {
        yield Buffer.concat(batch);
        batch = [];
      }
    }
    batch.push(Buffer.alloc(2 * BLOCK));
    yield Buffer.concat(batch);
  }
  await pipeline(blocks(), createGzip({ level: 1 }), createWriteStream(path));
}
