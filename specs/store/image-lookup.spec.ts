/**
 * Issue 18 items 2 and 7, at the store: how a reference finds an image, as docker's daemon
 * does it (moby daemon/images GetImage, image/store.go Search over go-digest's digestset):
 * a full 64-hex ID is an ID; anything else is a name first, then a prefix of an ID of any
 * length; a prefix two images share is refused ("ambiguous digest string"), never the first
 * match. The dangling-images query (runtime/store/image-list.ts) is what image prune removes.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { danglingImages } from "../../runtime/store/image-list.ts";
import type { ImageConfigJson } from "../../runtime/store/oci.ts";
import { Store } from "../../runtime/store/store.ts";
import { tempDir } from "../helpers/strata.ts";

const root = tempDir("image-lookup");
const root2 = tempDir("image-lookup-manifests");
/** The name the first test gives an image (the second test reuses it). */
let tempName = "";
afterAll(() => {
  for (const r of [root, root2]) rmSync(r, { recursive: true, force: true });
});

/** A new untagged image: its ID and manifest digest, hex. */
async function untagged(store: Store, n: number): Promise<{ id: string; manifest: string }> {
  const config: ImageConfigJson = { created: `2020-01-01T00:${String(Math.floor(n / 60)).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}Z`, architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] }, history: [] };
  const desc = await store.writeImage(config, []);
  await store.refs.keepUntagged(desc);
  return { id: (await store.loadManifest(desc)).configDigest.slice(7), manifest: desc.digest.slice(7) };
}

async function untaggedImage(store: Store, n: number): Promise<string> {
  return (await untagged(store, n)).id;
}

describe("finding an image by ID prefix", () => {
  it("takes any unique prefix, refuses a shared one, and prefers a name", async () => {
    const store = new Store(root);
    await store.init();
    // Images until two IDs share a first hex digit (at most 17 by the pigeonhole principle).
    const ids: string[] = [];
    let shared: string | undefined;
    for (let n = 0; shared === undefined; n++) {
      const id = await untaggedImage(store, n);
      shared = ids.find((o) => o[0] === id[0])?.[0];
      ids.push(id);
    }
    await expect(store.findImage(shared)).rejects.toThrow(`ambiguous digest string: ${shared} is the start of several image IDs`);
    await expect(store.findImage(`sha256:${shared}`)).rejects.toThrow("ambiguous digest string");
    for (const id of ids) {
      let n = 1;
      while (ids.some((o) => o !== id && o.startsWith(id.slice(0, n)))) n++;
      expect((await store.findImage(id.slice(0, n)))?.configDigest).toBe(`sha256:${id}`);
      expect((await store.findImage(`sha256:${id.slice(0, n)}`))?.configDigest).toBe(`sha256:${id}`);
      expect((await store.findImage(id))?.configDigest).toBe(`sha256:${id}`);
    }
    expect(await store.findImage("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")).toBeUndefined();

    // A name that is also an ID prefix names its own image.
    const [a, b] = ids as [string, string];
    const named = await store.findImage(a);
    await store.refs.tag(b.slice(0, 6), named?.manifestDescriptor ?? (undefined as never));
    tempName = b.slice(0, 6);
    expect((await store.findImage(b.slice(0, 6)))?.configDigest).toBe(`sha256:${a}`);
    // …and stops being dangling: a tagged image has no <none> entry left.
    expect((await danglingImages(store)).length).toBe(ids.length - 1);
  });

  it("an unnamed manifest of an image ID that has a name is not dangling", async () => {
    const store = new Store(root);
    const named = await store.findImage(tempName);
    expect(named).toBeDefined();
    const img = named as NonNullable<typeof named>;
    // The same config in another manifest (other bytes, as a pull's compressed one would be).
    const other = await store.content.putBytes(JSON.stringify(img.manifest, null, 1));
    await store.refs.keepUntagged({ mediaType: img.manifestDescriptor.mediaType, digest: other.digest, size: other.size });
    const before = (await danglingImages(store)).map((d) => d.manifestDigest);
    expect(before).not.toContain(other.digest);
    await store.refs.untag(tempName);
    expect((await danglingImages(store)).map((d) => d.manifestDigest)).toContain(other.digest);
  });

  it("a prefix unique among IDs is that image's, even when another image's manifest digest starts with it", async () => {
    const store = new Store(root2);
    await store.init();
    // Images until one's ID and another's manifest digest share a first digit no other ID has.
    const imgs: { id: string; manifest: string }[] = [];
    const clash = (): { id: string; manifest: string } | undefined =>
      imgs.find((a) => imgs.filter((o) => o.id[0] === a.id[0]).length === 1 && imgs.some((b) => b !== a && b.manifest[0] === a.id[0]));
    for (let n = 0; clash() === undefined; n++) imgs.push(await untagged(store, n));
    const a = clash() as { id: string; manifest: string };
    expect((await store.findImage(a.id.slice(0, 1)))?.configDigest).toBe(`sha256:${a.id}`);
    // A prefix of a manifest digest alone still finds its image.
    const b = imgs.find((o) => imgs.every((x) => x.id.slice(0, 12) !== o.manifest.slice(0, 12))) as { id: string; manifest: string };
    expect((await store.findImage(b.manifest.slice(0, 12)))?.configDigest).toBe(`sha256:${b.id}`);
  });
});
