/**
 * refs.tag with several names (pull names the image and its repository digest, in one update
 * of index.json): each name moved off the image it named before, which stays as `<none>` when
 * it has no other name; a tag that changes nothing writes nothing.
 */
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IMAGE_NAME, type ImageConfigJson } from "../../runtime/store/oci.ts";
import { Store } from "../../runtime/store/store.ts";
import { tempDir } from "../helpers/strata.ts";

const root = tempDir("refs-tag");
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function image(store: Store, n: number) {
  const config: ImageConfigJson = { created: `2020-01-01T00:00:0${n}Z`, architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] }, history: [] };
  return store.writeImage(config, []);
}

describe("refs.tag", () => {
  it("points several names at an image in one write and keeps what they named before", async () => {
    const store = new Store(root);
    await store.init();
    const old = await image(store, 1);
    const next = await image(store, 2);
    await store.refs.tag("example.com/app:1", old);
    const digestName = `example.com/app@sha256:${"a".repeat(64)}`;
    await store.refs.tag(["example.com/app:1", digestName], next);
    const index = await store.refs.read();
    const names = (digest: string) => index.manifests.filter((d) => d.digest === digest).map((d) => d.annotations?.[IMAGE_NAME]);
    expect(names(next.digest).sort()).toEqual(["example.com/app:1", digestName].sort());
    // The old image lost its only name: it stays, unnamed.
    expect(names(old.digest)).toEqual([undefined]);

    const before = statSync(join(root, "index.json")).mtimeMs;
    await store.refs.tag([digestName, "example.com/app:1"], next);
    expect(statSync(join(root, "index.json")).mtimeMs).toBe(before);
  });
});
