/**
 * The version-1 registry cache (one manifest whose config lists every record: cache-format.ts) is
 * still read: a fresh store builds from one with no step run; and an export to a REF holding one
 * writes its records as version-2 records first, so none is lost when REF becomes version 2.
 * The version-1 cache here is written by the spec from a version-2 one's records, as Strata
 * before version 2 wrote it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_ARTIFACT_TYPE, CACHE_CONFIG_TYPE, CACHE_VERSION_ANNOTATION, canonical, DIFF_ID_ANNOTATION } from "../../runtime/registry/cache-format.ts";
import { listRecords } from "../../runtime/registry/cache-records-remote.ts";
import { RegistryClient } from "../../runtime/registry/client.ts";
import { pushBytes } from "../../runtime/registry/push-image.ts";
import { Repository } from "../../runtime/registry/repository.ts";
import { MediaType } from "../../runtime/store/oci.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "./helpers.ts";

describe("a version-1 registry cache", () => {
  let reg: TestRegistry;
  let seed: { root: string; cleanup: () => void };
  let dir: string;
  beforeAll(async () => {
    reg = await startRegistry();
    seed = storeWithBusybox("cachev1");
    dir = tempDir("cachev1");
  });
  afterAll(async () => {
    await reg.stop();
    seed.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is read, and an export to it keeps its records as version-2 ones", async () => {
    const base = `${reg.host}/v1/busybox:latest`;
    strata(seed.root, ["tag", "busybox:latest", base]);
    expect(strata(seed.root, ["push", base]).code).toBe(0);
    const ctx = join(dir, "ctx");
    mkdirSync(ctx);
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${base}\nRUN echo one > /one\nCOPY a.txt /a.txt\nRUN true\n`);
    writeFileSync(join(ctx, "a.txt"), "a\n");
    expect(strata(seed.root, ["build", "-q", "--cache-to", `type=registry,ref=${reg.host}/v1/cache:v2`, ctx]).code).toBe(0);
    const client = new RegistryClient(reg.host, {});
    const repo = new Repository(client, "v1/cache");
    const records = await listRecords(repo, "v2");
    expect(records.size).toBe(3);
    // The version-1 artifact of those records at v1/cache:old.
    const config = Buffer.from(canonical({ version: 1, records: Object.fromEntries(records) }));
    const layers = [...records.values()].filter((r) => r.digest !== undefined).map((r) => ({ mediaType: r.mediaType, digest: r.digest, size: r.compressedSize, annotations: { [DIFF_ID_ANNOTATION]: r.diffId } }));
    const manifest = { schemaVersion: 2, mediaType: MediaType.manifest, artifactType: CACHE_ARTIFACT_TYPE, config: { mediaType: CACHE_CONFIG_TYPE, digest: await pushBytes(repo, config), size: config.length }, layers, annotations: { [CACHE_VERSION_ANNOTATION]: "1" } };
    await repo.putManifest("old", Buffer.from(JSON.stringify(manifest)), MediaType.manifest);

    const fresh = tempDir("cachev1-fresh");
    const b = strata(fresh, ["build", "--progress", "plain", "-t", "v1:1", "--cache-from", `${reg.host}/v1/cache:old`, ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/^0 steps run, 3 cached$/m);

    // Another Dockerfile exported to the version-1 REF: its own record and the three old ones, as version 2.
    const other = join(dir, "other");
    mkdirSync(other);
    writeFileSync(join(other, "Dockerfile"), `FROM ${base}\nRUN echo other > /other\n`);
    const e = strata(fresh, ["build", "--progress", "plain", "--cache-to", `type=registry,ref=${reg.host}/v1/cache:old`, other]);
    expect(e.code, e.stderr).toBe(0);
    const after = await listRecords(repo, "old");
    await client.close();
    expect(after.size).toBe(4);
    for (const k of records.keys()) expect(after.get(k)).toEqual(records.get(k));
    rmSync(fresh, { recursive: true, force: true });
  });
});
