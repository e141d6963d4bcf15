/**
 * Issue 18 (h18c item 4): repository digests, as docker keeps them (RepoDigests). A push, and a
 * pull by tag or by digest, record `NAME@sha256:<the registry's manifest digest>` for the image
 * (the index's, for a multi-platform one, as `docker pull` prints `Digest:`), checked here
 * against skopeo's view of the registry. `images --digests` shows the DIGEST column (`<none>`
 * for an image without one), `{{.Digest}}` works in --format, inspect has `RepoDigests`, and
 * run, tag and rmi take `NAME@sha256:…`. The names live in index.json (written temp, verified,
 * renamed); rmi and prune leave no digest behind.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "./helpers.ts";

const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** The registry's manifest digest of `ref`, as skopeo sees it: the hash of the bytes it serves. */
function skopeoDigest(ref: string): string {
  const r = spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`], { encoding: "buffer" });
  if (r.status !== 0) throw new Error(`skopeo inspect ${ref}: ${r.stderr.toString()}`);
  return sha256(r.stdout);
}

/** index.json's names (io.containerd.image.name) and what they point at. */
function indexNames(root: string): Record<string, string> {
  const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  return Object.fromEntries(index.manifests.filter((m) => m.annotations).map((m) => [m.annotations?.["io.containerd.image.name"] as string, m.digest]));
}

describe("repository digests", () => {
  let reg: TestRegistry;
  let root = "";
  let cleanup = () => {};
  const others: string[] = [];
  const fresh = (name: string) => {
    const r = tempDir(name);
    others.push(r);
    return r;
  };
  let name = "";
  let repo = "";
  let pushed = "";
  let id = "";

  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("repo-digests"));
    repo = `${reg.host}/digests/app`;
    name = `${repo}:1`;
    const ctx = tempDir("repo-digests-ctx");
    others.push(ctx);
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nRUN echo pushed > /f\n");
    const b = strata(root, ["build", "-q", "-t", name, ctx]);
    expect(b.code, b.stderr).toBe(0);
    id = b.stdout.trim();
  }, 120_000);
  afterAll(async () => {
    await reg.stop();
    cleanup();
    for (const r of others) rmSync(r, { recursive: true, force: true });
  });

  it("before any push an image has no digest: <none> in the DIGEST column, [] in RepoDigests", () => {
    const out = strata(root, ["images", "--digests", repo]).stdout.split("\n");
    expect(out[0]).toMatch(/^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$/);
    expect(out[1]).toMatch(new RegExp(`^${repo} +1 +<none> +${id.slice(7, 19)} `));
    expect(strata(root, ["inspect", "-f", "{{json .RepoDigests}} {{json .RepoTags}}", name]).stdout).toBe(`[] ["${name}"]\n`);
  });

  it("push records NAME@<the registry's manifest digest>, the digest skopeo sees", () => {
    const push = strata(root, ["push", "-q", name]);
    expect(push.code, push.stderr).toBe(0);
    pushed = /@(sha256:[a-f0-9]{64})$/m.exec(push.stdout)?.[1] as string;
    expect(pushed).toBe(skopeoDigest(name));
    expect(strata(root, ["inspect", "-f", "{{json .RepoDigests}}", name]).stdout).toBe(`["${repo}@${pushed}"]\n`);
    const row = strata(root, ["images", "--digests", repo]).stdout.split("\n")[1];
    expect(row).toMatch(new RegExp(`^${repo} +1 +${pushed} +${id.slice(7, 19)} `));
    // {{.Digest}} in a format shows it without --digests (docker's needDigest); busybox has none.
    const formatted = strata(root, ["images", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"]).stdout.split("\n");
    expect(formatted).toContain(`${repo} 1 ${pushed}`);
    expect(formatted).toContain("busybox latest <none>");
    // Kept in index.json, beside the tag, pointing at the same local manifest.
    const names = indexNames(root);
    expect(names[`${repo}@${pushed}`]).toBe(names[name]);
    expect(strata(root, ["system", "verify"]).stdout).toBe("store verified: ok\n");
  });

  it("a pull by tag records the same digest; run, tag and inspect take NAME@sha256:…", () => {
    const other = fresh("repo-digests-pull");
    const pull = strata(other, ["pull", name]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stderr).toContain(`Digest: ${pushed}`);
    expect(strata(other, ["inspect", "-f", "{{json .RepoDigests}}", name]).stdout).toBe(`["${repo}@${pushed}"]\n`);
    expect(strata(other, ["images", "--digests", "--format", "{{.Tag}} {{.Digest}}"]).stdout).toBe(`1 ${pushed}\n`);
    const run = strata(other, ["run", "--rm", `${repo}@${pushed}`, "cat", "/f"]);
    expect([run.code, run.stdout]).toEqual([0, "pushed\n"]);
    expect(strata(other, ["tag", `${repo}@${pushed}`, "copy:1"]).code).toBe(0);
    expect(strata(other, ["inspect", "-f", "{{.Id}}", "copy:1"]).stdout).toBe(`${id}\n`);
    // docker's daemon: a tag cannot be a digest.
    const bad = strata(other, ["tag", "copy:1", `${repo}@${pushed}`]);
    expect([bad.code, bad.stderr]).toEqual([2, "strata: error[USAGE]: refusing to create a tag with a digest reference\n"]);
  });

  it("a pull by digest names the image only by it: REPO <none>, a dangling image prune removes", () => {
    const other = fresh("repo-digests-bydigest");
    expect(strata(other, ["pull", "-q", `${repo}@${pushed}`]).code).toBe(0);
    expect(strata(other, ["images", "--format", "{{.Repository}} {{.Tag}} [{{.Digest}}]"]).stdout).toBe(`${repo} <none> []\n`);
    expect(strata(other, ["images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"]).stdout).toBe(`${repo} <none> ${pushed}\n`);
    expect(strata(other, ["inspect", "-f", "{{json .RepoTags}} {{json .RepoDigests}}", `${repo}@${pushed}`]).stdout).toBe(`[] ["${repo}@${pushed}"]\n`);
    // docker: no tag is dangling, for the filter and for prune.
    expect(strata(other, ["images", "-q", "-f", "dangling=true"]).stdout).toBe(`${id.slice(7, 19)}\n`);
    expect(strata(other, ["images", "-q", "-f", "dangling=false"]).stdout).toBe(`${id.slice(7, 19)}\n`);
    const prune = strata(other, ["image", "prune", "-f"]);
    expect(prune.stdout).toContain(`untagged: ${repo}@${pushed}\ndeleted: ${id}\n`);
    expect(indexNames(other)).toEqual({});
  });

  it("rmi of the last tag removes the repository's digests with it, as docker's", () => {
    const other = fresh("repo-digests-rmi");
    expect(strata(other, ["pull", "-q", name]).code).toBe(0);
    const rmi = strata(other, ["rmi", name]);
    expect(rmi.stdout).toBe(`Untagged: ${name}\nUntagged: ${repo}@${pushed}\nDeleted: ${id}\n`);
    expect(indexNames(other)).toEqual({});
    expect(strata(other, ["system", "verify"]).stdout).toBe("store verified: ok\n");
    // rmi NAME@sha256:… removes that name only while a tag is left.
    expect(strata(other, ["pull", "-q", name]).code).toBe(0);
    expect(strata(other, ["rmi", `${repo}@${pushed}`]).stdout).toBe(`Untagged: ${repo}@${pushed}\n`);
    expect(Object.keys(indexNames(other))).toEqual([name]);
  });

  it("a re-pushed tag moves: the old image keeps its digest and shows as REPO <none>", () => {
    const ctx = tempDir("repo-digests-ctx2");
    others.push(ctx);
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nRUN echo second > /f\n");
    expect(strata(root, ["build", "-q", "-t", name, ctx]).code).toBe(0);
    const push = strata(root, ["push", "-q", name]);
    const second = /@(sha256:[a-f0-9]{64})$/m.exec(push.stdout)?.[1] as string;
    expect(second).toBe(skopeoDigest(name));
    expect(second).not.toBe(pushed);
    const other = fresh("repo-digests-moved");
    expect(strata(other, ["pull", "-q", `${repo}@${pushed}`]).code).toBe(0);
    expect(strata(other, ["pull", "-q", name]).code).toBe(0);
    const rows = strata(other, ["images", "--digests", "--format", "{{.Tag}} {{.Digest}}"]).stdout.trimEnd().split("\n").sort();
    expect(rows).toEqual([`1 ${second}`, `<none> ${pushed}`].sort());
  });

  it("a multi-platform pull records the index's digest, as docker pull's `Digest:` line", async () => {
    const manifest = JSON.parse(spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${name}`], { encoding: "utf8" }).stdout) as { mediaType: string };
    const bytes = Buffer.from(spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${name}`]).stdout);
    const arch = process.arch === "arm64" ? "arm64" : "amd64";
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{ mediaType: manifest.mediaType, digest: sha256(bytes), size: bytes.length, platform: { os: "linux", architecture: arch } }],
    });
    const put = await fetch(`http://${reg.host}/v2/digests/app/manifests/multi`, { method: "PUT", headers: { "content-type": "application/vnd.oci.image.index.v1+json" }, body: index });
    expect(put.status).toBe(201);
    const indexDigest = skopeoDigest(`${repo}:multi`);
    expect(indexDigest).toBe(sha256(index));
    const other = fresh("repo-digests-index");
    mkdirSync(other, { recursive: true });
    const pull = strata(other, ["pull", `${repo}:multi`]);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stderr).toContain(`Digest: ${indexDigest}`);
    expect(strata(other, ["inspect", "-f", "{{json .RepoDigests}}", `${repo}:multi`]).stdout).toBe(`["${repo}@${indexDigest}"]\n`);
    expect(strata(other, ["inspect", "-f", "{{.Id}}", `${repo}@${indexDigest}`]).code).toBe(0);
  });
});
