/**
 * Issue 18 item 8, against Debian's docker-registry on 127.0.0.1:
 *
 * - `docker images` and `docker history` show an image's unpacked size, so one image ID shows
 *   one size however it arrived (docs.docker.com/reference/cli/docker/image/ls/: "SIZE … the
 *   amount of data on disk"); a pulled image whose layers the store keeps gzip-compressed is not
 *   shown at its compressed size.
 * - `docker rmi` prints `Untagged: NAME` for each name it removes and `Deleted: sha256:ID` only
 *   when the image itself goes (docs.docker.com/reference/cli/docker/image/rm/): an image ID
 *   still named elsewhere is not "Deleted".
 * - `push --format docker` with zstd layers is refused with the reason before any upload: the
 *   Docker v2 schema 2 manifest has no zstd layer media type (distribution's manifest/schema2),
 *   and skopeo rejects such a manifest.
 * - `docker system df` counts ACTIVE images by the containers that use them
 *   (docs.docker.com/reference/cli/docker/system/df/).
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeAllContainers } from "../container/helpers.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "./helpers.ts";

let reg: TestRegistry;
let a: { root: string; cleanup: () => void };
const dir = tempDir("docker-sizes");
const b = join(dir, "b");
const c = join(dir, "c");

beforeAll(async () => {
  reg = await startRegistry();
  a = storeWithBusybox("docker-sizes");
}, 120_000);
afterAll(async () => {
  removeAllContainers(a.root);
  await reg.stop();
  a.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** `images` rows as [REPOSITORY, TAG, IMAGE ID, SIZE]. */
function rows(root: string): string[][] {
  const r = strata(root, ["images", "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, string>)
    .map((x) => [x.Repository, x.Tag, x.ID, x.Size] as string[]);
}

function ok(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe("sizes and rmi messages as docker's", () => {
  it("a pulled image (gzip layers kept) shows the unpacked size, the same as the image built or loaded locally", () => {
    const local = rows(a.root).find((r) => r[0] === "busybox") as string[];
    ok(strata(a.root, ["push", "-q", "busybox", `${reg.host}/bb:1`]));
    ok(strata(b, ["pull", `${reg.host}/bb:1`]));
    const pulled = rows(b);
    expect(pulled).toEqual([[`${reg.host}/bb`, "1", local[2], local[3]]]);
    // Measured once, then kept in the layer's compressed-blob record (runtime/store/compressed.ts).
    const records = readdirSync(join(b, "compressed")).map((f) => JSON.parse(readFileSync(join(b, "compressed", f), "utf8")) as { size: number; unpackedSize?: number });
    expect(records).toHaveLength(1);
    expect(records[0]?.unpackedSize).toBeGreaterThan(records[0]?.size ?? Infinity);
    expect(rows(b)).toEqual(pulled);
    // history: the one layer's row shows the same unpacked size.
    const hist = ok(strata(b, ["history", "--format", "json", `${reg.host}/bb:1`]))
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { Size: string }).Size);
    expect(hist).toContain(local[3]);

    // The same image id arriving uncompressed (a docker-archive) under another name: one size.
    const tar = join(dir, "bb.tar");
    ok(strata(a.root, ["save", "--format", "docker-archive", "-o", tar, "busybox"]));
    ok(strata(b, ["load", "-i", tar]));
    const both = rows(b);
    expect(both.map((r) => r[2])).toEqual([local[2], local[2]]);
    expect(both.map((r) => r[3])).toEqual([local[3], local[3]]);
  });

  it("rmi of one name of an image still named elsewhere prints only Untagged: (the repository's digest goes with its last tag)", () => {
    const id = JSON.parse(ok(strata(b, ["inspect", "busybox"])))[0].Id as string;
    const digest = (JSON.parse(ok(strata(b, ["inspect", `${reg.host}/bb:1`])))[0].RepoDigests as string[])[0];
    expect(digest).toMatch(new RegExp(`^${reg.host}/bb@sha256:[a-f0-9]{64}$`));
    expect(ok(strata(b, ["rmi", `${reg.host}/bb:1`]))).toBe(`Untagged: ${reg.host}/bb:1\nUntagged: ${digest}\n`);
    expect(rows(b).map((r) => r.slice(0, 3))).toEqual([["busybox", "latest", id.slice(7, 19)]]);
    expect(ok(strata(b, ["rmi", "busybox"]))).toBe(`Untagged: busybox:latest\nDeleted: ${id}\n`);
    expect(strata(b, ["images", "-q"]).stdout).toBe("");
  });

  it("push --format docker with zstd is refused with the reason, before any upload", async () => {
    const r = strata(a.root, ["push", "--format", "docker", "--compression", "zstd", "busybox", `${reg.host}/z:1`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "strata: error[PUSH_DOCKER_ZSTD]: push --format docker: --compression zstd was asked for, and Docker's v2 schema 2 manifest has no zstd layer type; use --format oci (or --compression gzip)\n",
    );
    expect((await fetch(`http://${reg.host}/v2/z/tags/list`)).status).toBe(404);

    // An image pulled with zstd layers keeps them: pushing it as docker is refused for that.
    ok(strata(a.root, ["push", "-q", "--compression", "zstd", "busybox", `${reg.host}/zz:1`]));
    ok(strata(c, ["pull", `${reg.host}/zz:1`]));
    const again = strata(c, ["push", "--format", "docker", `${reg.host}/zz:1`, `${reg.host}/zdocker:1`]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("the image's layers are stored zstd-compressed");
    expect((await fetch(`http://${reg.host}/v2/zdocker/tags/list`)).status).toBe(404);
    // The OCI format carries zstd, as before; and an image is pushed by a short ID as by a name (item 2).
    const id = (JSON.parse(ok(strata(c, ["inspect", `${reg.host}/zz:1`]))) as { Id: string }[])[0]?.Id as string;
    expect(ok(strata(c, ["push", "-q", id.slice(7, 15), `${reg.host}/zoci:1`]))).toMatch(new RegExp(`^${reg.host}/zoci:1@sha256:[a-f0-9]{64}\n$`));
  });

  it("system df counts ACTIVE images by the containers using them", () => {
    const images = () => (ok(strata(a.root, ["system", "df"])).split("\n")[1] as string).split(/\s{2,}/);
    const before = images();
    expect(before.slice(0, 3)).toEqual(["Images", "1", "0"]);
    expect(before[4]).toBe(`${before[3]} (100%)`);
    ok(strata(a.root, ["run", "--name", `df-${process.pid}`, "busybox", "true"]));
    const after = images();
    expect(after.slice(0, 3)).toEqual(["Images", "1", "1"]);
    expect(after[4]).toBe("0B (0%)");
  });
});
