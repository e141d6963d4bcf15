/**
 * `--build-context NAME=oci-layout://DIR[:TAG][@sha256:…]` (buildx): the image of an OCI image
 * layout folder, loaded into the store as `strata load` loads an oci-archive (image/load.ts:
 * every blob checked against its digest, every layer against its diffID and unpacked by the
 * same path rules), kept untagged. The manifest is the one the digest names, else the one whose
 * ref.name is TAG, else the only one; of an image index, this machine's platform's image. Only the layout's own files are read (index.json,
 * oci-layout, blobs/sha256/<64 hex>).
 */
import { createReadStream } from "node:fs";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pack as tarPack } from "tar-stream";
import { type IndexJson, REF_NAME } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { LoadError, loadArchive } from "./load.ts";

export interface LayoutSelector {
  readonly tag?: string | undefined;
  readonly digest?: string | undefined;
}

/** The image ID (config digest) of the selected image of the layout in `dir`, now in the store. */
export async function loadLayoutImage(store: Store, dir: string, select: LayoutSelector): Promise<string> {
  const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8").catch((e: Error) => {
    throw new LoadError(`oci-layout://${dir}: no OCI layout there (${e.message})`);
  })) as IndexJson;
  const all = Array.isArray(index.manifests) ? index.manifests : [];
  const picked = select.digest !== undefined ? all.filter((m) => m.digest === select.digest) : select.tag !== undefined ? all.filter((m) => m.annotations?.[REF_NAME] === select.tag) : all;
  const which = select.digest ?? (select.tag !== undefined ? `:${select.tag}` : "");
  if (picked.length !== 1) throw new LoadError(`oci-layout://${dir}${which}: ${picked.length === 0 ? "no such image in the layout" : `${picked.length} images in the layout; name one with :TAG or @sha256:DIGEST`}`);
  // Without its names: the image is the build's context, not a name in the store.
  const { annotations: _names, ...manifest } = picked[0] as IndexJson["manifests"][number];
  const pack = tarPack();
  const put = (name: string, data: string) => new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644 }, data, (e) => (e ? reject(e) : resolve())));
  const loading = loadArchive(store, pack as unknown as Readable, { platform: hostPlatform(process.arch) });
  const writing = (async () => {
    await put("oci-layout", await readFile(join(dir, "oci-layout"), "utf8"));
    await put("index.json", JSON.stringify({ ...index, manifests: [manifest] }));
    const blobs = join(dir, "blobs", "sha256");
    for (const hex of (await readdir(blobs)).filter((n) => /^[a-f0-9]{64}$/.test(n))) {
      const path = join(blobs, hex);
      const st = await stat(path);
      if (!st.isFile()) continue;
      await pipeline(createReadStream(path), pack.entry({ name: `blobs/sha256/${hex}`, size: st.size, mode: 0o644 }));
    }
    pack.finalize();
  })();
  writing.catch((e: unknown) => pack.destroy(e as Error));
  const [loaded] = await Promise.all([loading, writing]);
  const id = loaded[0]?.id;
  if (id === undefined) throw new LoadError(`oci-layout://${dir}${which}: no image loaded`);
  return id;
}
