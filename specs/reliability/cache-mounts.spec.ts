/**
 * The battery's case 42: cache mounts under concurrent builds, in separate processes on one
 * store (specs/run/mounts.spec.ts has two `locked` builds and `private`; this is the battery's
 * harder form).
 * - `sharing=locked`: three builds whose RUN appends `start n`, sleeps, appends `end n` to a
 *   locked cache. The log, read from the cache's directory on the host, is three unbroken
 *   start/end pairs: no RUN ran while another held the cache.
 * - Nested cache mounts (`/c`, `/c/sub/inner`, `/c/sub/inner/deeper`, each a cache of its own),
 *   in four builds at once on a store where none of the caches exists yet: every build
 *   succeeds (no `EEXIST`/`file exists` from making the instances or the mount points), each
 *   RUN saw its own mounts (the deepest log has all four lines), and no mount point is left
 *   in a layer.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strataAsync } from "../helpers/strata.ts";
import { busyboxArena } from "./busybox.ts";
import { type Arena, expectClean } from "./oracle.ts";
import { readTar } from "./tar-headers.ts";

let a: Arena;

beforeAll(() => {
  a = busyboxArena("cache-mounts", { own: ["ctx"] });
}, 300_000);
afterAll(() => a?.cleanup());

/** A build context with this Dockerfile; the build, in its own process. */
function buildAsync(name: string, dockerfile: string) {
  const ctx = join(a.own.ctx as string, name);
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, "Dockerfile"), dockerfile);
  return strataAsync(a.root, ["build", "--progress", "plain", "--no-cache", "-t", `cm-${name}:1`, ctx]);
}

/** The host directory of instance 0 of the cache with this id (cache-mount.ts's layout). */
function cacheData(id: string): string {
  return join(a.root, "cache-mounts", createHash("sha256").update(id).digest("hex").slice(0, 32), "0", "data");
}

/** The entry names of an image's layers above busybox. */
function builtEntries(tag: string): string[] {
  const idx = JSON.parse(readFileSync(join(a.root, "index.json"), "utf8")) as { manifests: { digest: string; annotations: Record<string, string> }[] };
  const m = idx.manifests.find((x) => x.annotations["org.opencontainers.image.ref.name"] === tag);
  const blob = (d: string) => readFileSync(join(a.root, "blobs", "sha256", d.slice(7)));
  const man = JSON.parse(blob(m?.digest ?? "sha256:").toString()) as { layers: { digest: string }[] };
  return man.layers.slice(1).flatMap((l) => readTar(blob(l.digest)).map((e) => e.name));
}

describe("reliability: cache mounts under concurrent builds", () => {
  it("case 42: sharing=locked serializes three concurrent builds", async () => {
    const df = (n: number) =>
      `FROM busybox:latest\nRUN --mount=type=cache,id=rel-locked,target=/c,sharing=locked echo start${n} >> /c/log && sleep 1 && echo end${n} >> /c/log && touch /done${n}\n`;
    const rs = await Promise.all([1, 2, 3].map((n) => buildAsync(`locked${n}`, df(n))));
    for (const r of rs) expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(cacheData("rel-locked"), "log"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) {
      expect(lines[i]).toMatch(/^start[123]$/);
      expect(lines[i + 1]).toBe(lines[i]?.replace("start", "end"));
    }
    expect(new Set(lines).size).toBe(6);
    for (const n of [1, 2, 3]) expect(builtEntries(`cm-locked${n}:1`)).toEqual([`done${n}`]);
  });

  it("case 42: nested cache mounts in four parallel builds don't race on mkdir and leave no mount point", async () => {
    const df = (n: number) =>
      [
        "FROM busybox:latest",
        "RUN --mount=type=cache,id=rel-outer,target=/c --mount=type=cache,id=rel-inner,target=/c/sub/inner --mount=type=cache,id=rel-deeper,target=/c/sub/inner/deeper \\",
        `    echo ${n} >> /c/sub/inner/deeper/log && echo ${n} >> /c/sub/inner/log && echo ${n} >> /c/log && sleep 1 && touch /nested${n}`,
        "",
      ].join("\n");
    const rs = await Promise.all([1, 2, 3, 4].map((n) => buildAsync(`nested${n}`, df(n))));
    for (const r of rs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/EEXIST|file exists/i);
    }
    for (const id of ["rel-outer", "rel-inner", "rel-deeper"]) {
      const log = readFileSync(join(cacheData(id), "log"), "utf8").trim().split("\n").sort();
      expect(log, id).toEqual(["1", "2", "3", "4"]);
    }
    for (const n of [1, 2, 3, 4]) expect(builtEntries(`cm-nested${n}:1`)).toEqual([`nested${n}`]);
  });

  it("case 42: the oracle finds nothing outside the store, and verify passes", () => {
    expectClean(a);
  });
});
