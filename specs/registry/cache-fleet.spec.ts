/**
 * Many builders, one registry cache (issue 23, items 1 and 2): three builders with separate stores
 * export at the same moment (`--cache-to type=registry,ref=…,mode=max`) three Dockerfiles that share
 * a base stage to one REF; a fourth, fresh store then builds all three with `--cache-from` (two refs:
 * an unrelated cache first) and runs no step — plain progress shows every step CACHED — and the
 * cache, listed through its format (tags/list, each record read and verified), holds every record
 * the three builders made. The fourth store downloads no layer its images do not contain (a
 * builder stage's, a merged group's per-step ones), and a step that misses on top of cached
 * steps gets their layers then (fetched, unpacked) and runs. Pushing an image mounts its layers
 * from the cache's repository (no second upload), and an export uploads a layer as soon as its
 * step ends.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../runtime/registry/client.ts";
import { listRecords } from "../../runtime/registry/cache-records-remote.ts";
import { Repository } from "../../runtime/registry/repository.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, strataAsync, type TestRegistry } from "./helpers.ts";

/** The keys of a store's cache records (cache/<hex>.json). */
function localKeys(root: string): string[] {
  return readdirSync(join(root, "cache"))
    .filter((f) => /^[a-f0-9]{64}\.json$/.test(f))
    .map((f) => `sha256:${f.slice(0, 64)}`);
}

/** The diffIDs a stored image is made of. */
function imageDiffIds(root: string, name: string): string[] {
  const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const m = index.manifests.find((d) => d.annotations?.["org.opencontainers.image.ref.name"] === name);
  if (!m) throw new Error(`${name} not in ${root}`);
  const manifest = JSON.parse(readFileSync(join(root, "blobs/sha256", m.digest.slice(7)), "utf8")) as { config: { digest: string } };
  return (JSON.parse(readFileSync(join(root, "blobs/sha256", manifest.config.digest.slice(7)), "utf8")) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
}

/** Every step of a plain progress that is not a FROM: whether it ended CACHED. */
function stepEnds(stderr: string): { name: string; cached: boolean }[] {
  const names = new Map<string, string>();
  const ends = new Map<string, boolean>();
  for (const line of stderr.split("\n")) {
    const head = /^#(\d+) (\[.*\] (?!FROM).*)$/.exec(line);
    if (head) names.set(head[1] as string, head[2] as string);
    const end = /^#(\d+) (CACHED|DONE|ERROR)/.exec(line);
    if (end) ends.set(end[1] as string, end[2] === "CACHED");
  }
  return [...names].map(([id, name]) => ({ name, cached: ends.get(id) === true }));
}

/**
 * Reproducible layers (SOURCE_DATE_EPOCH), so the three builders' base stages are the same tars.
 * Without it each builder's base layer has its own times: the cache keeps whichever record of a key
 * was written first, the per-RUN records of a merged layer may come from different builders, and
 * the merged layer's key (made of their diffIDs) then misses: no step runs, but the fourth store
 * merges that layer itself, downloading the per-RUN layers for it.
 */
const SDE = { SOURCE_DATE_EPOCH: "1700000000" };

describe("three builders export to one cache ref at once; a fourth builds everything from it", () => {
  let reg: TestRegistry;
  let seed: { root: string; cleanup: () => void };
  let dir: string;
  const builders: string[] = [];
  let fourth: string;
  beforeAll(async () => {
    reg = await startRegistry();
    seed = storeWithBusybox("fleet");
    dir = tempDir("fleet");
    fourth = tempDir("fleet-fourth");
  });
  afterAll(async () => {
    await reg.stop();
    seed.cleanup();
    for (const d of [dir, fourth, ...builders]) rmSync(d, { recursive: true, force: true });
  });

  const base = () => `${reg.host}/fleet/busybox:latest`;
  const cache = () => `${reg.host}/fleet/cache:main`;
  const dockerfile = (i: number, extra = "") =>
    [
      `FROM ${base()} AS base`,
      "RUN echo base > /base",
      "RUN echo shared > /shared",
      "FROM base AS build",
      `RUN echo built-${i} > /artifact`,
      `RUN echo scratch-${i} > /scratch && rm /scratch`,
      "FROM base",
      "COPY --from=build /artifact /artifact",
      `COPY app-${i}.txt /app.txt`,
      `RUN echo one-${i} > /one`,
      `RUN echo two-${i} > /two`,
      ...(extra ? [extra] : []),
      "",
    ].join("\n");
  const context = (i: number, extra = "") => {
    const ctx = join(dir, `ctx-${i}${extra ? "-extra" : ""}`);
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, "Dockerfile"), dockerfile(i, extra));
    writeFileSync(join(ctx, `app-${i}.txt`), `app ${i}\n`);
    return ctx;
  };

  it("exports concurrently, loses no record, and a fresh store runs no step", async () => {
    strata(seed.root, ["tag", "busybox:latest", base()]);
    expect(strata(seed.root, ["push", base()]).code).toBe(0);
    // An unrelated cache, the first --cache-from of the fourth builder: its misses fall through to the next.
    const misc = join(dir, "misc");
    mkdirSync(misc);
    writeFileSync(join(misc, "Dockerfile"), `FROM ${base()}\nRUN echo misc > /misc\n`);
    expect(strata(seed.root, ["build", "-q", "--cache-to", `type=registry,ref=${reg.host}/fleet/cache:misc`, misc]).code).toBe(0);

    const contexts = [1, 2, 3].map((i) => context(i));
    for (let i = 0; i < 3; i++) builders.push(tempDir(`fleet-b${i + 1}`));
    const runs = await Promise.all(contexts.map((ctx, i) => strataAsync(builders[i] as string, ["build", "--progress", "plain", "-t", `app${i + 1}:1`, "--cache-to", `type=registry,ref=${cache()},mode=max`, ctx], { env: SDE })));
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/cache exported to .*: \d+ records, \d+ layers, sha256:[a-f0-9]{64} \(\d+ written, \d+ there already\)/);
    }
    // They ran at the same time: each one ran its base stage (no builder saw another's records before exporting).
    for (const r of runs) expect(stepEnds(r.stderr).find((e) => e.name.endsWith("RUN echo base > /base"))?.cached).toBe(false);

    // Every record of every builder is in the cache, listed through the format.
    const expected = new Set(builders.flatMap(localKeys));
    const client = new RegistryClient(reg.host, {});
    const listed = await listRecords(new Repository(client, "fleet/cache"), "main");
    await client.close();
    expect(expected.size).toBeGreaterThan(10);
    expect([...listed.keys()].sort()).toEqual([...expected].sort());

    // The fourth, fresh store: all three from the cache, no step run.
    for (const [i, ctx] of contexts.entries()) {
      const b = strata(fourth, ["build", "--progress", "plain", "-t", `app${i + 1}:1`, "--cache-from", `${reg.host}/fleet/cache:misc`, "--cache-from", `type=registry,ref=${cache()}`, ctx], { env: SDE });
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toMatch(/^0 steps run, 8 cached$/m);
      const ends = stepEnds(b.stderr);
      expect(ends.length).toBe(8);
      expect(ends.filter((e) => !e.cached)).toEqual([]);
      // The image the builder made, layer for layer (reproducible layers: the three builders' base stages are the same tars).
      expect(imageDiffIds(fourth, `app${i + 1}:1`)).toEqual(imageDiffIds(builders[i] as string, `app${i + 1}:1`));
    }
    // One base stage in the cache: the three images share its layers.
    const bases = [1, 2, 3].map((i) => imageDiffIds(fourth, `app${i}:1`).slice(0, 2).join());
    expect(new Set(bases).size).toBe(1);
    expect(strata(fourth, ["run", "--rm", "app2:1", "cat", "/base", "/shared", "/artifact", "/app.txt", "/one", "/two"]).stdout).toBe("base\nshared\nbuilt-2\napp 2\none-2\ntwo-2\n");
    // No layer its images do not contain was downloaded: the build stages', the merged RUNs' per-step ones.
    const used = new Set([1, 2, 3].flatMap((i) => imageDiffIds(fourth, `app${i}:1`)));
    const unused = [...listed.values()].map((r) => r.diffId).filter((d): d is string => d !== null && !used.has(d));
    expect(unused.length).toBeGreaterThanOrEqual(6);
    for (const d of unused) expect(existsSync(join(fourth, "blobs/sha256", d.slice(7))), d).toBe(false);
    expect(strata(fourth, ["system", "verify"]).stdout).toMatch(/ok/);
  });

  it("a step that misses on top of cached steps gets their layers (fetched, unpacked) and runs", () => {
    const ctx = context(1, "RUN cat /one /two /app.txt /artifact > /all");
    const b = strata(tempDir("fleet-fifth"), ["build", "--progress", "plain", "-t", "extra:1", "--cache-from", cache(), ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/^1 steps run, 8 cached$/m);
    expect(b.stderr).toMatch(/Pulling cached layer from/);
  });

  it("a pushed image's layers come by mount from the cache's repository: those fetched from the cache, and those the export uploaded (once, as their steps ended)", async () => {
    // The fourth store's app1 was built from the cache alone: each of its layers is mounted, none uploaded.
    // (Asynchronous commands: the registry's log pipe is read only while this process's event loop runs.)
    const p = await strataAsync(fourth, ["push", "app1:1", `${reg.host}/fleet/app1:1`]);
    expect(p.code, p.stderr).toBe(0);
    const out = p.stdout + p.stderr;
    expect(out).not.toMatch(/Pushing \(/);
    // Its 5 layers: busybox's (mounted from its own repository), the base stage's merged RUNs, the COPYs and the merged RUNs.
    expect(out.match(/Mounted from fleet\/cache/g)?.length).toBe(4);
    expect(out.match(/Mounted from fleet\/busybox/g)?.length).toBe(1);
    // A builder that exports and pushes: each layer it made is uploaded once (to the cache, as soon as its step ended) and mounted for the image.
    const ctx = context(4);
    const b = await strataAsync(tempDir("fleet-sixth"), ["build", "--progress", "plain", "--push", "-t", `${reg.host}/fleet/app4:1`, "--cache-to", `type=registry,ref=${cache()},mode=max`, "--cache-from", cache(), ctx]);
    expect(b.code, b.stderr).toBe(0);
    const pushed = [...(b.stdout + b.stderr).matchAll(/^([a-f0-9]{12}): Pushed \(/gm)].map((m) => m[1]);
    expect(pushed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(pushed).size).toBe(pushed.length);
    // The first upload starts before the build's last step is done.
    expect(b.stderr.indexOf("Pushed (")).toBeLessThan(b.stderr.indexOf("RUN echo two-4 > /two"));
    expect(b.stdout + b.stderr).toMatch(/Mounted from fleet\/cache/);
    const client = new RegistryClient(reg.host, {});
    const m = await new Repository(client, "fleet/app4").getManifest("1").finally(() => client.close());
    expect(JSON.parse(m.bytes.toString()).layers.length).toBe(5);
  });
});
