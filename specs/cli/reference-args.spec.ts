/**
 * Issue 17 item 25: every image reference given on the command line (build's -t, tag's target,
 * push's image and destination, pull's ref, import's name, a --cache-to/--cache-from ref) is checked against docker's reference
 * grammar as the command line is read, before any work: a bad one is a one-line USAGE error
 * (exit 2) and the store is not even opened. docker's rule for the first path component
 * (distribution/reference splitDockerDomain): lower-case, it is part of the path on docker.io;
 * with an upper-case letter it can only be a registry host, so `UPPER/x` names repository `x` on
 * the host `UPPER` (never the invalid docker.io/UPPER/x), while `UPPER` alone is refused.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

/** A one-line USAGE error naming the flag and the reference. */
function expectUsage(r: { code: number; stderr: string }, what: string, ref: string): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^strata: error\[USAGE\]: /);
  expect(lines[0]).toContain(what);
  expect(lines[0]).toContain(`"${ref}"`);
}

describe("image references on the command line are validated before any work", () => {
  const dir = tempDir("refargs");
  const ctx = join(dir, "ctx");
  /** A root that must stay absent: the commands below may not open (create) a store. */
  const untouched = join(dir, "never-opened");
  mkdirSync(ctx);
  // A Dockerfile that would fail to parse: the reference error must come first.
  writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nCOPPY a b\n");

  it("build -t Bad:Tag:x is refused before the Dockerfile is parsed or the store opened", () => {
    const r = strata(untouched, ["build", "-t", "ok:1", "-t", "Bad:Tag:x", ctx]);
    expectUsage(r, "-t, --tag", "Bad:Tag:x");
    expect(r.stderr).not.toContain("COPPY");
    expect(existsSync(untouched)).toBe(false);
  });

  it.each([["UPPER"], ["library/UPPER"], ["x:"], ["x:-tag"], ["x@sha256:abc"], [`x:${"t".repeat(129)}`], [`${"a".repeat(256)}:1`], ["ab".repeat(32)]])("build -t %s is refused", (ref) => {
    expectUsage(strata(untouched, ["build", "-t", ref, ctx]), "-t, --tag", ref);
    expect(existsSync(untouched)).toBe(false);
  });

  it("build and explain --cache-to / --cache-from check the cache's reference the same way", () => {
    expectUsage(strata(untouched, ["build", "--cache-to", "registry:Bad:Tag:x", ctx]), "--cache-to registry:Bad:Tag:x", "Bad:Tag:x");
    expectUsage(strata(untouched, ["build", "--cache-from", "type=registry,ref=UPPER", ctx]), "--cache-from type=registry,ref=UPPER", "UPPER");
    expectUsage(strata(untouched, ["explain", "--cache-from", "registry:x:-bad", ctx]), "--cache-from registry:x:-bad", "x:-bad");
    expect(existsSync(untouched)).toBe(false);
  });

  it("tag, push, pull and import check their references the same way", () => {
    expectUsage(strata(untouched, ["tag", "busybox", "Bad:Tag:x"]), "tag TARGET_IMAGE", "Bad:Tag:x");
    expectUsage(strata(untouched, ["image", "tag", "busybox", "UPPER"]), "tag TARGET_IMAGE", "UPPER");
    expectUsage(strata(untouched, ["push", "Bad:Tag:x"]), "push IMAGE", "Bad:Tag:x");
    expectUsage(strata(untouched, ["push", "busybox", "localhost:5000/Bad"]), "push DESTINATION", "localhost:5000/Bad");
    expectUsage(strata(untouched, ["pull", "Bad:Tag:x"]), "pull REF", "Bad:Tag:x");
    expectUsage(strata(untouched, ["import", join(dir, "none.tar"), "Bad:Tag:x"]), "import NAME", "Bad:Tag:x");
    expect(existsSync(untouched)).toBe(false);
  });
});

describe("an upper-case first component is a registry host, as docker reads it", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("refargs"));
  });
  afterAll(() => cleanup());

  it("tag busybox UPPER/x names x:latest on the host UPPER, and images lists it so", () => {
    expect(strata(root, ["tag", "busybox", "UPPER/x"]).code).toBe(0);
    expect(strata(root, ["tag", "busybox", "valid.example/a_b/c-d:Tag_1.x"]).code).toBe(0);
    const r = strata(root, ["images"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^UPPER\/x\s+latest\s/m);
    expect(r.stdout).toMatch(/^valid\.example\/a_b\/c-d\s+Tag_1\.x\s/m);
    expect(strata(root, ["inspect", "UPPER/x:latest"]).code).toBe(0);
  });
});
