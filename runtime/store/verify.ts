import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { decompressed } from "../layer/decompress.ts";
import type { Descriptor } from "./content-store.ts";
import { descriptorPlatform, isIndexType } from "./image-index.ts";
import type { ImageConfigJson, IndexJson, ManifestJson } from "./oci.ts";
import type { Store } from "./store.ts";

/**
 * `strata system verify`: re-hashes every blob (its name must be its
 * sha256), and checks that every name points at a manifest whose config and
 * layers are all present, with as many diffIDs as layers, that a layer kept
 * compressed (pulled) decompresses to its diffID, and that cache records
 * point at stored layers, and that every unpacked layer is whole (its fs/
 * dir) and mountable (its short link l/<16 hex> names it; snapshot/overlay.ts),
 * with no link dangling. Returns the problems found.
 */
/** The sha256 of a blob's bytes after decompression (gzip or zstd, by its first bytes). */
async function uncompressedDigest(path: string): Promise<string> {
  const h = createHash("sha256");
  try {
    const { stream } = await decompressed(createReadStream(path, { highWaterMark: 1 << 20 }), { unlimited: true });
    for await (const chunk of stream) h.update(chunk as Buffer);
  } catch (e) {
    return `(cannot decompress: ${(e as Error).message})`;
  }
  return `sha256:${h.digest("hex")}`;
}

export async function verifyStore(store: Store): Promise<string[]> {
  const problems: string[] = [];
  const present = new Set<string>();
  for (const hex of await readdir(store.layout.blobs).catch(() => [] as string[])) {
    const h = createHash("sha256");
    for await (const chunk of createReadStream(join(store.layout.blobs, hex), { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    const actual = h.digest("hex");
    if (actual !== hex) problems.push(`blob sha256:${hex} hashes to sha256:${actual}`);
    else present.add(`sha256:${hex}`);
  }
  const checked = new Set<string>();
  const images: { label: string; descriptor: Descriptor }[] = [];
  for (const { name, descriptor } of await store.refs.list()) {
    const label = name ?? descriptor.digest;
    if (!isIndexType(descriptor.mediaType)) images.push({ label, descriptor });
    else if (!present.has(descriptor.digest)) problems.push(`${label}: image index ${descriptor.digest} is missing`);
    else {
      // An image index: every platform's image it lists must be whole (image-index.ts).
      const index = await store.content.readJson<IndexJson>(descriptor.digest);
      for (const child of index.manifests) images.push({ label: `${label} (${descriptorPlatform(child)})`, descriptor: child });
    }
  }
  for (const { label, descriptor } of images) {
    if (!present.has(descriptor.digest)) {
      problems.push(`${label}: manifest ${descriptor.digest} is missing`);
      continue;
    }
    const m = await store.content.readJson<ManifestJson>(descriptor.digest);
    if (!present.has(m.config.digest)) {
      problems.push(`${label}: config ${m.config.digest} is missing`);
      continue;
    }
    const c = await store.content.readJson<ImageConfigJson>(m.config.digest);
    if (c.rootfs.diff_ids.length !== m.layers.length) problems.push(`${label}: ${m.layers.length} layers but ${c.rootfs.diff_ids.length} diffIDs`);
    for (const [i, l] of m.layers.entries()) {
      const diffId = c.rootfs.diff_ids[i];
      if (!present.has(l.digest)) problems.push(`${label}: layer ${l.digest} is missing`);
      else if (diffId !== undefined && l.digest !== diffId && !checked.has(l.digest)) {
        checked.add(l.digest);
        const actual = await uncompressedDigest(store.content.path(l.digest));
        if (actual !== diffId) problems.push(`${label}: layer ${l.digest} decompresses to ${actual}, but the config says diffID ${diffId}`);
      }
    }
  }
  problems.push(...(await verifySnapshots(store)));
  for (const name of await readdir(store.layout.cache).catch(() => [] as string[])) {
    const rec = JSON.parse(await readFile(join(store.layout.cache, name), "utf8")) as { diffId: string | null };
    if (rec.diffId !== null && !present.has(rec.diffId)) problems.push(`cache record ${name}: layer ${rec.diffId} is missing (the next build reruns that step)`);
  }
  return problems;
}

/** Unpacked layers: each whole, each with its short link; no link naming a layer that is not there. */
async function verifySnapshots(store: Store): Promise<string[]> {
  const problems: string[] = [];
  const dir = store.layout.snapshots;
  const links = join(dir, "l");
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name === "l") continue;
    if (!/^[a-f0-9]{64}$/.test(name)) {
      problems.push(`snapshots/${name} is not an unpacked layer (no diffID name)`);
      continue;
    }
    if (!(await lstat(join(dir, name, "fs")).catch(() => undefined))?.isDirectory()) {
      problems.push(`unpacked layer sha256:${name} is incomplete (no fs/ dir): strata system prune removes it`);
      continue;
    }
    const target = await readlink(join(links, name.slice(0, 16))).catch(() => undefined);
    if (target !== `../${name}/fs`) problems.push(`unpacked layer sha256:${name} has ${target === undefined ? "no short link" : `a short link to ${target}`} (snapshots/l/${name.slice(0, 16)}); the next mount makes it again`);
  }
  for (const name of await readdir(links).catch(() => [] as string[])) {
    const target = await readlink(join(links, name)).catch(() => "");
    if (!(await lstat(join(links, target)).catch(() => undefined))?.isDirectory()) problems.push(`snapshots/l/${name} links to ${target || "nothing"}, which is not an unpacked layer`);
  }
  return problems;
}
