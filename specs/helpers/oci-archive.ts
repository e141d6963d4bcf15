/**
 * OCI archives written byte by byte for specs that need an image no tool here makes: one of
 * many tiny layers (a deep image), or one for another platform. Deterministic bytes.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";

const sha = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A ustar archive of regular files (name → bytes), mtime 0, root-owned. */
export function ustar(files: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, body] of files) {
    const h = Buffer.alloc(512);
    h.write(name, 0, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0" + "00", 257, "binary");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    parts.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * Writes an OCI archive of an image named `name` with `layers` layers, layer i holding the one
 * file layer/<i, 4 digits> ("layer i\n"), for `platform` (os/arch[/variant], default
 * linux/amd64), with the config's `created` and labels of `extra`; a name of "" writes none
 * (an untagged image); returns its manifest digest.
 */
export function writeLayeredArchive(path: string, name: string, layers: number, platform = "linux/amd64", extra: { created?: string; labels?: Record<string, string> } = {}): string {
  const blobs: [string, Buffer][] = [];
  const put = (b: Buffer) => {
    const d = sha(b);
    blobs.push([`blobs/sha256/${d.slice(7)}`, b]);
    return { digest: d, size: b.length };
  };
  const diffIds: string[] = [];
  const descriptors = [];
  for (let i = 0; i < layers; i++) {
    const raw = ustar([[`layer/${String(i).padStart(4, "0")}`, Buffer.from(`layer ${i}\n`)]]);
    diffIds.push(sha(raw));
    descriptors.push({ mediaType: "application/vnd.oci.image.layer.v1.tar", ...put(raw) });
  }
  const [os, architecture, variant] = platform.split("/");
  const config = put(Buffer.from(JSON.stringify({ architecture, os, ...(variant !== undefined && { variant }), ...(extra.created !== undefined && { created: extra.created }), config: { Cmd: ["/bin/sh"], ...(extra.labels !== undefined && { Labels: extra.labels }) }, rootfs: { type: "layers", diff_ids: diffIds } })));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config }, layers: descriptors }));
  const m = put(manifest);
  const index = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, ...(name !== "" && { annotations: { "org.opencontainers.image.ref.name": name } }) }] };
  writeFileSync(path, ustar([["oci-layout", Buffer.from('{"imageLayoutVersion":"1.0.0"}')], ["index.json", Buffer.from(JSON.stringify(index))], ...blobs]));
  return m.digest;
}
