/**
 * The battery's reproducibility cases (RELIABILITY.md 47–49), on one Dockerfile that makes
 * every kind of entry: a COPY of an old and a new context file, a RUN that makes dirs, a file,
 * a hardlink, a symlink and a file dated before the epoch, and a RUN (merged with it into one
 * layer) that deletes a file and empties a directory below (a whiteout, an opaque marker).
 *
 * 47: 30 builds with SOURCE_DATE_EPOCH, in 3 fresh stores side by side (an import of the same
 *     busybox tar, then 1 build and 9 `--no-cache` rebuilds each): every built layer's
 *     diffID, and its gzip digest as `save --format oci-archive` writes it, equal the golden
 *     values pinned below. A rebuild served from the cache would prove nothing, hence fresh
 *     stores and --no-cache: each of the 30 runs the RUNs and writes and merges the layers anew.
 *     The image digest is the same within a store; it is not pinned, because the base image's
 *     config (`strata import`) carries its import time.
 * 48: clamping: an entry older than the epoch keeps its mtime, a newer one gets the epoch, and
 *     whiteouts and opaque markers get 0 (containerd v2's pkg/archive/tar.go).
 * 49: tar headers of every built layer, stored and saved: entries in strict name-byte order
 *     (so each path once), numeric uid/gid with empty uname/gname, no atime/ctime PAX
 *     records; the saved gzip members have mtime 0 in their headers.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata, strataAsync } from "../helpers/strata.ts";
import { busyboxTar } from "./busybox.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";
import { readTar, tarFile } from "./tar-headers.ts";

const EPOCH = 1_700_000_000;
const OLD = 1_000_000_000;
const env = { SOURCE_DATE_EPOCH: String(EPOCH) };

const DOCKERFILE = [
  "FROM busybox:latest",
  "COPY old.txt new.txt /ctx/",
  "COPY old.txt /gone/",
  "RUN mkdir -p /d/e && echo hi > /d/e/f && ln -s f /d/e/l && ln /d/e/f /d/e/h && touch -t 200001010000 /d/old",
  "RUN rm /ctx/new.txt && rm -rf /gone && mkdir /gone && echo back > /gone/x",
  "",
].join("\n");

/**
 * The built layers (above busybox's), pinned: diffID (the stored tar) and the gzip digest
 * `strata save` writes. A change to either is a change to every user's image digests.
 */
const GOLDEN = {
  diffIds: [
    "sha256:5ffffbcf1f090e225e9064c7cf7aad6002024c53f642ed0c3f69c50fbb0d7ddd",
    "sha256:320e4481d8d5520fbb84abf46804edea9cd7d50c661fe14e05ed07559bdc6ec7",
    "sha256:0cea7ede940340307c6ff6dcf9b1c8954678924538c8cf14e306a22f75ecb411",
  ],
  compressed: [
    "sha256:cc115951c6c8916e4c854dccf45f09096c8ebfbc5677fd6063632a23f7b1edff",
    "sha256:2fba06b6f4aead1a8d002d2e77be170e6298540ede8e861b4c52330511ff9fb5",
    "sha256:c5a05fe7592325832ba24a23257362b94b6417308411b798911d59ddda4f5f70",
  ],
};

/** 3 fresh stores, side by side, of 10 builds each (1, then 9 with --no-cache). */
const STORES = 3;
const BUILDS_PER_STORE = 10;

let a: Arena;
let busybox: string;

interface StoreImage {
  readonly id: string;
  readonly diffIds: string[];
  readonly layers: string[];
}

function blob(dir: string, digest: string): Buffer {
  return readFileSync(join(dir, "blobs", "sha256", digest.replace(/^sha256:/, "")));
}

/** An image of an OCI layout (the store, or a saved oci-archive unpacked in memory), by ref name. */
function layoutImage(read: (digest: string) => Buffer, index: Buffer, ref: string): StoreImage {
  const idx = JSON.parse(index.toString()) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const m = idx.manifests.find((x) => x.annotations?.["org.opencontainers.image.ref.name"]?.endsWith(ref));
  if (m === undefined) throw new Error(`${ref} is not in the index`);
  const man = JSON.parse(read(m.digest).toString()) as { config: { digest: string }; layers: { digest: string }[] };
  const cfg = JSON.parse(read(man.config.digest).toString()) as { rootfs: { diff_ids: string[] } };
  return { id: man.config.digest, diffIds: cfg.rootfs.diff_ids, layers: man.layers.map((l) => l.digest) };
}

function storeImage(root: string, ref: string): StoreImage {
  return layoutImage((d) => blob(root, d), readFileSync(join(root, "index.json")), ref);
}

async function expectOk(p: Promise<{ code: number; stderr: string }>): Promise<void> {
  const r = await p;
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(() => {
  busybox = busyboxTar();
  a = arena("repro", {
    own: ["ctx", "stores", "out"],
    setup: ({ own }) => {
      const ctx = own.ctx as string;
      writeFileSync(join(ctx, "Dockerfile"), DOCKERFILE);
      writeFileSync(join(ctx, "old.txt"), "old\n");
      writeFileSync(join(ctx, "new.txt"), "new\n");
      utimesSync(join(ctx, "old.txt"), OLD, OLD);
    },
  });
}, 300_000);
afterAll(() => a?.cleanup());

/** One fresh store: import busybox, build once, rebuild with --no-cache; save every tag. */
async function freshStore(n: number): Promise<{ root: string; images: StoreImage[]; saved: StoreImage[]; archive: Buffer }> {
  const root = n === 0 ? a.root : join(a.own.stores as string, String(n));
  mkdirSync(root, { recursive: true });
  await expectOk(strataAsync(root, ["import", busybox, "busybox:latest"]));
  const tags: string[] = [];
  for (let b = 1; b <= BUILDS_PER_STORE; b++) {
    const tag = `repro:${b}`;
    tags.push(tag);
    await expectOk(strataAsync(root, ["build", "--progress", "plain", ...(b > 1 ? ["--no-cache"] : []), "-t", tag, a.own.ctx as string], { env }));
  }
  const out = join(a.own.out as string, `${n}.tar`);
  await expectOk(strataAsync(root, ["save", "--format", "oci-archive", "-o", out, ...tags]));
  const archive = readFileSync(out);
  const read = (d: string) => tarFile(archive, `blobs/sha256/${d.replace(/^sha256:/, "")}`);
  return {
    root,
    images: tags.map((t) => storeImage(root, t)),
    saved: tags.map((t) => layoutImage(read, tarFile(archive, "index.json"), t)),
    archive,
  };
}

describe("reliability: reproducible builds", () => {
  let results: Awaited<ReturnType<typeof freshStore>>[] = [];

  beforeAll(async () => {
    // The base's mtimes are the epoch's past; the context's new file is newer than the epoch.
    expect(Date.now() / 1000).toBeGreaterThan(EPOCH);
    results = await Promise.all(Array.from({ length: STORES }, (_, n) => freshStore(n)));
  }, 600_000);

  it("case 47: 30 builds in fresh stores give the pinned diffIDs and gzip digests", () => {
    const builds = results.flatMap((r) => r.images.map((img, k) => ({ img, saved: r.saved[k] as StoreImage })));
    expect(builds).toHaveLength(30);
    for (const { img, saved } of builds) {
      expect(img.diffIds.slice(1)).toEqual(GOLDEN.diffIds);
      expect(saved.diffIds.slice(1)).toEqual(GOLDEN.diffIds);
      expect(saved.layers.slice(1)).toEqual(GOLDEN.compressed);
    }
    for (const r of results) expect(new Set(r.images.map((i) => i.id)).size).toBe(1);
  });

  it("case 48: older mtimes kept, newer clamped to the epoch, whiteouts and opaque markers at 0", () => {
    const img = (results[0] as (typeof results)[number]).images[0] as StoreImage;
    const entries = img.diffIds.slice(1).flatMap((d) => readTar(blob(a.root, d)));
    const mtime = (name: string): number[] => entries.filter((e) => e.name === name).map((e) => e.mtime);
    expect(mtime("ctx/old.txt")).toEqual([OLD]);
    expect(mtime("gone/old.txt")).toEqual([OLD]);
    expect(mtime("ctx/new.txt")).toEqual([EPOCH]);
    expect(mtime("d/old")).toEqual([Date.UTC(2000, 0, 1) / 1000]);
    expect(mtime("d/e/f")).toEqual([EPOCH]);
    expect(mtime("d/e/")).toEqual([EPOCH]);
    expect(mtime("ctx/.wh.new.txt")).toEqual([0]);
    expect(mtime("gone/.wh..wh..opq")).toEqual([0]);
    expect(mtime("gone/x")).toEqual([EPOCH]);
    for (const e of entries) expect(e.mtime, e.name).toBeLessThanOrEqual(EPOCH);
  });

  it("case 49: byte-ordered entries, numeric ids with empty names, no atime/ctime, gzip mtime 0", () => {
    const r = results[0] as (typeof results)[number];
    const img = r.images[0] as StoreImage;
    const saved = r.saved[0] as StoreImage;
    const tars = [
      ...img.diffIds.slice(1).map((d) => ({ what: `stored ${d}`, tar: blob(a.root, d) })),
      ...saved.layers.slice(1).map((d) => {
        const gz = tarFile(r.archive, `blobs/sha256/${d.replace(/^sha256:/, "")}`);
        expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
        expect(gz.readUInt32LE(4), `gzip mtime of ${d}`).toBe(0);
        return { what: `saved ${d}`, tar: gunzipSync(gz) };
      }),
    ];
    for (const { what, tar } of tars) {
      const entries = readTar(tar);
      expect(entries.length, what).toBeGreaterThan(0);
      for (let i = 1; i < entries.length; i++) {
        const prev = Buffer.from((entries[i - 1] as (typeof entries)[number]).name);
        const cur = Buffer.from((entries[i] as (typeof entries)[number]).name);
        expect(Buffer.compare(prev, cur), `${what}: ${prev} before ${cur}`).toBeLessThan(0);
      }
      for (const e of entries) {
        expect([e.uname, e.gname], `${what}: ${e.name}`).toEqual(["", ""]);
        expect(Number.isInteger(e.uid) && Number.isInteger(e.gid)).toBe(true);
        expect(Object.keys(e.pax).filter((k) => k === "atime" || k === "ctime" || k === "mtime"), `${what}: ${e.name}`).toEqual([]);
      }
    }
  });

  it("case 49: the oracle finds nothing outside the stores, and verify passes", () => {
    expectClean(a);
    for (const r of results.slice(1)) expect(strata(r.root, ["system", "verify"]).code).toBe(0);
  });
});
