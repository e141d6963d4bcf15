import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { applyLayer } from "../layer/apply-layer.ts";
import { decompressed } from "../layer/decompress.ts";
import { writeLayer } from "../layer/write-layer.ts";
import { descriptorPlatform, platformManifests } from "../store/image-index.ts";
import type { LoadedImage, Store } from "../store/store.ts";

/**
 * The image's root filesystem in `dest` (buildx's local exporter): its layers applied in
 * order in "flatten" mode (whiteouts delete, nothing is written outside `dest`; apply-layer.ts).
 * A multi-platform image (its name an index) gives one root filesystem per platform, in
 * `dest/linux_amd64/`, `dest/linux_arm_v7/` … (buildx's layout: the platform, "/" made "_").
 */
export async function exportRootfs(store: Store, img: LoadedImage, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  if (img.index) {
    for (const c of platformManifests(img.index)) await exportRootfs(store, await store.loadManifest(c), join(dest, descriptorPlatform(c).replaceAll("/", "_")));
    return;
  }
  for (const l of img.manifest.layers) {
    const { stream } = await decompressed(store.content.read(l.digest));
    await applyLayer(stream, dest, { mode: "flatten" });
  }
}

/** The image's root filesystem as one tar (buildx's tar exporter; a multi-platform image's top folders are its platforms'), to a file path or a stream. */
export async function exportRootfsTar(store: Store, img: LoadedImage, out: Writable | string): Promise<void> {
  const dir = join(store.layout.tmp, `rootfs-${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    await exportRootfs(store, img, dir);
    await writeLayer(dir, out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
