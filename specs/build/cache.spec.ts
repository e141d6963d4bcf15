import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

/** Lines of the plain progress: which layer steps ran and which came from the cache. */
function stepStates(stderr: string): string[] {
  const labels = new Map<string, string>();
  const states: string[] = [];
  for (const line of stderr.split("\n")) {
    const start = /^#(\d+) \[[^\]]+\] (.*)$/.exec(line);
    if (start) labels.set(start[1] as string, start[2] as string);
    const end = /^#(\d+) (CACHED|DONE .*)$/.exec(line);
    if (end && !(labels.get(end[1] as string) ?? "").startsWith("FROM")) states.push(`${labels.get(end[1] as string)}: ${end[2]?.startsWith("DONE") ? "ran" : "cached"}`);
  }
  return states;
}

describe("the build cache", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("cache"));
    ctx = tempDir("cache-ctx");
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox:latest\nRUN echo one > /one\nCOPY file.txt /file.txt\nRUN cat /file.txt > /copy.txt\nENV DONE=yes\n");
    writeFileSync(join(ctx, "file.txt"), "first\n");
  });
  afterAll(() => cleanup());

  it("reruns only from the COPY on when the copied file changes", () => {
    const first = strata(root, ["build", "-t", "c:1", ctx]);
    expect(first.code).toBe(0);
    expect(stepStates(first.stderr)).toEqual(["RUN echo one > /one: ran", "COPY file.txt /file.txt: ran", "RUN cat /file.txt > /copy.txt: ran"]);
    writeFileSync(join(ctx, "file.txt"), "second\n");
    const second = strata(root, ["build", "-t", "c:2", ctx]);
    expect(second.code).toBe(0);
    expect(stepStates(second.stderr)).toEqual(["RUN echo one > /one: cached", "COPY file.txt /file.txt: ran", "RUN cat /file.txt > /copy.txt: ran"]);
    expect(strata(root, ["run", "--rm", "c:2", "cat", "/copy.txt"]).stdout).toBe("second\n");
    expect(strata(root, ["run", "--rm", "c:1", "cat", "/copy.txt"]).stdout).toBe("first\n");
  });

  it("touching a file without changing it keeps the cache (content, not mtime)", () => {
    writeFileSync(join(ctx, "file.txt"), "second\n");
    const again = strata(root, ["build", "-t", "c:3", ctx]);
    expect(stepStates(again.stderr).every((s) => s.endsWith("cached"))).toBe(true);
  });

  it("--no-cache runs everything", () => {
    const b = strata(root, ["build", "--no-cache", "-t", "c:4", ctx]);
    expect(stepStates(b.stderr).every((s) => s.endsWith("ran"))).toBe(true);
  });

  it("a fully cached rebuild gives the same image id", () => {
    const a = strata(root, ["build", "-q", ctx]).stdout.trim();
    const b = strata(root, ["build", "-q", ctx]).stdout.trim();
    expect(a).toMatch(/^sha256:/);
    expect(b).toBe(a);
  });

  it("a failing RUN names its Dockerfile line and exits 1", () => {
    const dir = tempDir("fail");
    writeFileSync(join(dir, "Dockerfile"), "FROM busybox:latest\nRUN true\nRUN echo about to fail && exit 3\n");
    const b = strata(root, ["build", dir]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/Dockerfile:3/);
    expect(b.stderr).toContain("exit code: 3");
    expect(b.stderr).toContain("about to fail");
  });
});
