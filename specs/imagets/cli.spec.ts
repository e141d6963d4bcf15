import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

/** image.ts through the CLI: type errors stop everything, builds match the Dockerfile's, lines point at image.ts. */

let store: { root: string; cleanup: () => void };
const work = tempDir("imagets-cli");
const env = { SOURCE_DATE_EPOCH: "1700000000" };

beforeAll(() => {
  store = storeWithBusybox("imagets-cli");
});
afterAll(() => {
  store.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function snapshot(root: string): string {
  return `${readFileSync(join(root, "index.json"), "utf8")}\n${readdirSync(join(root, "blobs/sha256")).sort().join("\n")}`;
}

function layers(root: string, tag: string): string[] {
  const r = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:${tag}:latest`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
}

function write(name: string, text: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "image.ts"), text);
  return dir;
}

describe("strata with image.ts", () => {
  it("reports a type error with file:line:col, the TS code and a code frame, exits 1, builds nothing", () => {
    const dir = write("type-error", `import { from } from "strata-build";\n\nexport default from("busybox:latest")\n  .run("echo hi")\n  .expose("80/xyz");\n`);
    const before = snapshot(store.root);
    const r = strata(store.root, ["build", "-t", "never", dir], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/image.ts:5:11: error[TS2345]`);
    expect(r.stderr).toContain(`> 5 |   .expose("80/xyz");`);
    expect(r.stderr).toMatch(/\| +\^+/);
    expect(snapshot(store.root)).toBe(before);
    const check = strata(store.root, ["check", join(dir, "image.ts")]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("error[TS2345]");
  });

  it("builds a converted Dockerfile, and the hand-written image.ts, to the Dockerfile's layer digests", () => {
    const hello = join(repoRoot, "examples/hello");
    const converted = join(work, "hello-converted.ts");
    const conv = strata(store.root, ["convert", join(hello, "Dockerfile"), "-o", converted]);
    expect(conv.code, conv.stderr).toBe(0);
    const a = strata(store.root, ["build", "-q", "-t", "hello-df", hello], { env });
    expect(a.code, a.stderr).toBe(0);
    const b = strata(store.root, ["build", "-q", "--no-cache", "-t", "hello-conv", "-f", converted, hello], { env });
    expect(b.code, b.stderr).toBe(0);
    const c = strata(store.root, ["build", "-q", "--no-cache", "-t", "hello-ts", "-f", join(hello, "image.ts"), hello], { env });
    expect(c.code, c.stderr).toBe(0);
    const expected = layers(store.root, "hello-df");
    expect(expected.length).toBeGreaterThan(1);
    expect(layers(store.root, "hello-conv")).toEqual(expected);
    expect(layers(store.root, "hello-ts")).toEqual(expected);
  });

  it("builds named-export targets (--target), and the default export by default", () => {
    const dir = join(repoRoot, "examples/multi-target");
    const r = strata(store.root, ["build", "-q", "-t", "mt-hello", "--target", "hello", dir], { env });
    expect(r.code, r.stderr).toBe(0);
    const run = strata(store.root, ["run", "--rm", "mt-hello"]);
    expect(run.stdout.trim()).toBe("hello from multi-target");
    const all = strata(store.root, ["build", "-q", "-t", "mt-all", dir], { env });
    expect(all.code, all.stderr).toBe(0);
    const ls = strata(store.root, ["run", "--rm", "mt-all", "/bin/ls", "/usr/local/bin"]);
    expect(ls.stdout.split(/\s+/).filter(Boolean).sort()).toEqual(["date", "hello", "uname"]);
    const missing = strata(store.root, ["explain", "--target", "nope", join(dir, "image.ts")]);
    expect(missing.code).toBe(1);
  });

  it("reports the image.ts line of a failing RUN", () => {
    const dir = write("failing-run", `import { from } from "strata-build";\n\nexport default from("busybox:latest")\n  .run("echo fine")\n  .run(["/bin/sh", "-c", "exit 3"]);\n`);
    const r = strata(store.root, ["build", "--progress", "plain", dir], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/image.ts:5`);
    expect(r.stderr).toContain(`> 5 |   .run(["/bin/sh", "-c", "exit 3"]);`);
  });

  it("explains with image.ts lines and the Dockerfile's cache keys", () => {
    const hello = join(repoRoot, "examples/hello");
    const ts = strata(store.root, ["explain", "--format", "json", join(hello, "image.ts")]);
    const df = strata(store.root, ["explain", "--format", "json", hello]);
    expect(ts.code, ts.stderr).toBe(0);
    type Plan = { layers: { cacheKey: string; instructions: { file: string; line: number }[] }[] };
    const tsPlan = JSON.parse(ts.stdout) as Plan;
    const dfPlan = JSON.parse(df.stdout) as Plan;
    expect(tsPlan.layers.map((l) => l.cacheKey)).toEqual(dfPlan.layers.map((l) => l.cacheKey));
    const lines = tsPlan.layers.flatMap((l) => l.instructions);
    expect(lines.every((i) => i.file.endsWith("examples/hello/image.ts"))).toBe(true);
    expect(lines.map((i) => i.line)).toEqual([7, 8, 9, 10, 11]);
  });
});
