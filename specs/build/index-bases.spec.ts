/**
 * Issue 21 item 3, bases chosen per platform from an index: a multi-platform image built here
 * (`--platform linux/amd64,linux/arm64`, its name an OCI image index) is the base of a second
 * multi-platform build, which reads the base's image of each platform (its RUN appends its own
 * `uname -m` to the base's line). A platform the base's index lacks is IMG001 naming the
 * platforms it has. Removing the base's name keeps what the second image needs (gc follows
 * both indexes), and `system verify` passes.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulationReady, host, ROOTFS_STAGE, writeRootfsTarballs } from "../helpers/platforms.ts";
import { strata, tempDir } from "../helpers/strata.ts";

describe.skipIf(!emulationReady("index-bases.spec"))("a multi-platform base: each platform's build reads its own image of it", () => {
  let root: string;
  let ctx: string;
  let child: string;
  // A registry host nothing listens on: the pull of a platform the store lacks fails at once, with no DNS.
  const base = `127.0.0.1:9/idx-base-${process.pid}:1`;
  const top = `idx-top-${process.pid}:1`;

  beforeAll(() => {
    root = tempDir("index-bases-store");
    ctx = tempDir("index-bases-ctx");
    child = tempDir("index-bases-child");
    writeRootfsTarballs(ctx);
    writeFileSync(join(ctx, "Dockerfile"), [...ROOTFS_STAGE, "FROM base", "ARG TARGETPLATFORM", 'RUN echo "base $(uname -m) $TARGETPLATFORM" > /machine', ""].join("\n"));
    writeFileSync(join(child, "Dockerfile"), [`FROM ${base}`, 'RUN echo "top $(uname -m)" >> /machine && cat /machine', ""].join("\n"));
  }, 120_000);
  afterAll(() => {
    spawnSync("rm", ["-rf", root, ctx, child]);
  });

  it("builds on the base's image of each platform, in the order --platform names them", () => {
    const b = strata(root, ["build", "-q", "--platform", "linux/amd64,linux/arm64", "-t", base, ctx]);
    expect(b.code, b.stderr).toBe(0);
    const t = strata(root, ["build", "--progress", "plain", "--platform", "linux/arm64,linux/amd64", "-t", top, child]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/base aarch64 linux\/arm64\n.*top aarch64\n[\s\S]*base x86_64 linux\/amd64\n.*top x86_64\n/);
    const run = strata(root, ["run", "--rm", top, "cat", "/machine"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`base x86_64 ${host}\ntop x86_64\n`);
    expect(strata(root, ["images", "--format", "{{.Repository}}:{{.Tag}}"]).stdout.split("\n").filter((l) => l.includes("idx-")).sort()).toEqual([base, top].sort());
  }, 120_000);

  it("a platform the base's index lacks is IMG001 naming the platforms it has", () => {
    const r = strata(root, ["build", "-q", "--platform", "linux/arm/v7", child]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Dockerfile:1:1: error[IMG001]: image "${base}" has no linux/arm/v7 image in the local store (it has linux/amd64, linux/arm64) and could not be pulled:`);
    expect(r.stderr).toContain(`hint: pull or import it first, e.g. strata pull --platform linux/arm/v7 ${base}`);
  }, 60_000);

  it("without the base's name, gc keeps every blob the second index needs", () => {
    expect(strata(root, ["rmi", base]).code).toBe(0);
    const prune = strata(root, ["system", "prune", "-f"]);
    expect(prune.code, prune.stderr).toBe(0);
    const v = strata(root, ["system", "verify"]);
    expect(v.stdout + v.stderr).toContain("store verified: ok");
    const run = strata(root, ["run", "--rm", top, "cat", "/machine"]);
    expect(run.stdout).toBe(`base x86_64 ${host}\ntop x86_64\n`);
  }, 60_000);
});
