/**
 * LayerMerge's two forms (issue 14): per-step layers written from real overlay upper dirs,
 * merged, and applied (flatten) onto the base must give the tree that applying the steps one
 * by one gives. Later steps that only add or replace take the first-layer form (its start is
 * the first layer's bytes, as stored); a later delete of the first step's file forces the
 * resolved form. A content-store writer that starts after the first layer (a saved hash
 * state, a reflink or direct copy) commits the same bytes and digest as one that writes all.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { cp, lstat, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyLayer } from "../../runtime/layer/apply-layer.ts";
import { indexLayerFile } from "../../runtime/layer/layer-index.ts";
import { LayerMerge } from "../../runtime/layer/merge-layers.ts";
import { writeLayer } from "../../runtime/layer/write-layer.ts";
import { collectGarbage } from "../../runtime/store/gc.ts";
import { Store } from "../../runtime/store/store.ts";
import { mountOverlay, removeDir, sh, snapshotTree, tempDir } from "./helpers.ts";

const sha = async (p: string): Promise<string> => `sha256:${createHash("sha256").update(await readFile(p)).digest("hex")}`;

describe("merging per-step layers", () => {
  let dir: string;
  let base: string;
  beforeAll(async () => {
    dir = await tempDir("merge-forms");
    base = join(dir, "base");
    await mkdir(base);
    sh("mkdir -p etc d/e && echo a > etc/a && echo x > d/e/x && head -c 3000000 /dev/zero > big", base);
  });
  afterAll(async () => removeDir(dir));

  /** Runs each script as a step over the ones before; returns the per-step layer files. */
  async function steps(tag: string, scripts: readonly string[]): Promise<string[]> {
    const lowers = [base];
    const layers: string[] = [];
    for (const [k, script] of scripts.entries()) {
      const o = await mountOverlay(dir, [...lowers].reverse(), `${tag}-${k}`);
      try {
        sh(script, o.merged);
      } finally {
        o.unmount();
      }
      const layer = join(dir, `${tag}-${k}.tar`);
      await writeLayer(o.upper, layer);
      lowers.push(o.upper);
      layers.push(layer);
    }
    return layers;
  }

  async function below(path: string): Promise<"dir" | "other" | undefined> {
    const st = await lstat(join(base, path)).catch(() => undefined);
    return st === undefined ? undefined : st.isDirectory() ? "dir" : "other";
  }

  async function applied(tag: string, layers: readonly string[]): Promise<Awaited<ReturnType<typeof snapshotTree>>> {
    const flat = join(dir, `${tag}-flat`);
    await cp(base, flat, { recursive: true, preserveTimestamps: true });
    for (const l of layers) await applyLayer(createReadStream(l), flat, { mode: "flatten" });
    return snapshotTree(flat);
  }

  async function merged(_tag: string, layers: readonly string[], store: Store): Promise<{ file: string; form: "first-layer" | "resolved"; digest: string }> {
    const merge = await LayerMerge.open({ layers, below });
    try {
      const w = await store.content.writer();
      await merge.write(w, false);
      const info = await w.commit();
      return { file: store.layout.blob(info.digest), form: merge.firstBytes === undefined ? "resolved" : "first-layer", digest: info.digest };
    } finally {
      await merge.close();
    }
  }

  it("adds and replacements keep the first layer's bytes; the tree is the steps' tree; a writer after the first layer commits the same blob", async () => {
    const layers = await steps("add", [
      "mkdir -p usr/lib && head -c 2000000 /dev/urandom > usr/lib/pkg && echo conf > etc/conf && ln usr/lib/pkg usr/lib/pkg2 && mkdir opt",
      "mkdir -p run/sshd && echo more >> etc/conf && touch opt/mark",
      "echo edited > etc/edited && chmod 700 opt",
    ]);
    const store = new Store(join(dir, "store-add"));
    const out = await merged("add", layers, store);
    expect(out.form).toBe("first-layer");
    const first = await readFile(layers[0] as string);
    const { end } = await indexLayerFile(layers[0] as string);
    expect((await readFile(out.file)).subarray(0, end).equals(first.subarray(0, end))).toBe(true);
    expect(await applied("add-merged", [out.file])).toEqual(await applied("add-steps", layers));

    // The same merge through a writer that starts with the stored first layer (hash state computed, then saved and proved).
    const info = await store.content.putBytes(first);
    for (let round = 0; round < 2; round++) {
      const prefix = (await store.content.hashStates.saved(info.digest, info.size)) ?? (await store.content.hashStates.compute(info.digest, end));
      expect(prefix.length).toBe(end);
      const w = await store.content.writerAfter(info.digest, prefix);
      const merge = await LayerMerge.open({ layers, below });
      try {
        await merge.write(w, true);
      } finally {
        await merge.close();
      }
      const again = await w.commit();
      expect(again.digest).toBe(out.digest);
      expect(await sha(store.layout.blob(again.digest))).toBe(out.digest);
    }
    expect(await readdir(store.layout.hashStates)).toEqual([info.digest.slice("sha256:".length)]);
  });

  it("a saved hash state that does not prove itself is computed again, never used", async () => {
    const store = new Store(join(dir, "store-bad"));
    const bytes = Buffer.concat([Buffer.alloc(3 << 20, 7), Buffer.alloc(1024)]);
    const info = await store.content.putBytes(bytes);
    expect((await store.content.hashStates.compute(info.digest, 3 << 20)).length).toBe(3 << 20);
    expect((await store.content.hashStates.saved(info.digest, info.size))?.length).toBe(3 << 20);
    // The state of 2 MiB saved as if it were 3 MiB's (and a file that is not JSON): neither proves itself.
    const other = await store.content.hashStates.compute(info.digest, 2 << 20);
    await writeFile(store.content.hashStates.path(info.digest), JSON.stringify({ v: 1, length: 3 << 20, state: Buffer.from(other.state).toString("base64") }));
    expect(await store.content.hashStates.saved(info.digest, info.size)).toBeUndefined();
    await writeFile(store.content.hashStates.path(info.digest), "garbage");
    expect(await store.content.hashStates.saved(info.digest, info.size)).toBeUndefined();
  });

  it("gc drops a saved hash state with its blob", async () => {
    const store = new Store(join(dir, "store-gc"));
    const info = await store.content.putBytes(Buffer.concat([Buffer.alloc(2 << 20, 3), Buffer.alloc(1024)]));
    await store.content.hashStates.compute(info.digest, 2 << 20);
    expect(await readdir(store.layout.hashStates)).toHaveLength(1);
    const r = await collectGarbage(store, { buildCache: true, cacheMounts: false });
    expect(r.blobs).toBe(1);
    expect(await readdir(store.layout.hashStates)).toEqual([]);
  });

  it("a later delete of the first step's file takes the resolved form, and the tree is still the steps' tree", async () => {
    const layers = await steps("rm", ["mkdir -p var/lists && head -c 100000 /dev/urandom > var/lists/l1 && echo k > var/keep", "rm -rf var/lists && echo a2 > etc/a", "rm big && mkdir big && echo in > big/file"]);
    const store = new Store(join(dir, "store-rm"));
    const out = await merged("rm", layers, store);
    expect(out.form).toBe("resolved");
    const names = (await readFile(out.file)).toString("latin1");
    expect(names.includes("var/lists/l1")).toBe(false);
    expect(await applied("rm-merged", [out.file])).toEqual(await applied("rm-steps", layers));
  });

  it("a step that replaces a directory of the first step by a file takes the resolved form", async () => {
    const layers = await steps("retype", ["mkdir -p srv/x && echo 1 > srv/x/f", "rm -rf srv/x && echo file > srv/x"]);
    const store = new Store(join(dir, "store-retype"));
    const out = await merged("retype", layers, store);
    expect(out.form).toBe("resolved");
    expect(await applied("retype-merged", [out.file])).toEqual(await applied("retype-steps", layers));
  });
});
