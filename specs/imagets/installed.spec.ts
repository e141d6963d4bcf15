import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, repoRoot, tempDir } from "../helpers/strata.ts";
import { importBusybox } from "../reliability/busybox.ts";

/**
 * image.ts from the installed package: scripts/build-dist.mjs's dist/ in a project's
 * node_modules/strata-build (bin/strata.js, dist/, package.json; its dependencies from the
 * clone's node_modules), no sources beside it. Evaluation and the type check find the stdlib
 * inside the bundle, nothing is written under the install directory, and the user's own tsc
 * checks the same image.ts against dist/stdlib's types.
 */
const work = tempDir("imagets-installed");
const root = join(work, "store");
const project = join(work, "project");
const pkg = join(project, "node_modules/strata-build");
const cache = join(work, "cache");

function installed(args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [join(pkg, "bin/strata.js"), "--root", root, ...args], { cwd: project, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: cache } });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Every path under the package (its node_modules link not followed), with size and mtime. */
function tree(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, out);
    else out.push(`${p} ${e.isSymbolicLink() ? "link" : `${statSync(p).size} ${statSync(p).mtimeMs}`}`);
  }
  return out.sort();
}

let before: string[];
beforeAll(() => {
  mkdirSync(join(pkg, "bin"), { recursive: true });
  execFileSync(process.execPath, [join(repoRoot, "scripts/build-dist.mjs"), join(pkg, "dist")], { cwd: repoRoot, stdio: "pipe" });
  copyFileSync(join(repoRoot, "bin/strata.js"), join(pkg, "bin/strata.js"));
  copyFileSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(repoRoot, "node_modules"), join(pkg, "node_modules"));
  importBusybox(root);
  before = tree(pkg);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the installed package", () => {
  it("checks a Dockerfile (image.ts support loads with no stdlib on disk)", () => {
    writeFileSync(join(work, "Dockerfile"), "FROM busybox:latest\nRUN echo hi\n");
    const r = installed(["check", join(work, "Dockerfile")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("inits, checks, explains and builds an image.ts; its lines come from the image.ts", () => {
    const init = installed(["init"]);
    expect(init.code, init.stderr).toBe(0);
    const check = installed(["check", "image.ts"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const explain = installed(["explain", "--offline", "--format", "json", "."]);
    expect(explain.code, explain.stderr).toBe(0);
    const plan = JSON.parse(explain.stdout) as { instructions: { file: string; line: number }[] };
    expect(plan.instructions.map((i) => [i.file, i.line])).toEqual([
      ["./image.ts", 6],
      ["./image.ts", 8],
      ["./image.ts", 12],
      ["./image.ts", 14],
    ]);
    const build = installed(["build", "-q", "-t", "installed-app", "."]);
    expect(build.code, build.stderr).toBe(0);
    const run = installed(["run", "--rm", "installed-app"]);
    expect(run.stdout.trim()).toBe("hello from strata");
  });

  it("evaluates an image.ts's own modules and reports their errors at their lines", () => {
    const dir = join(work, "modules");
    mkdirSync(dir);
    writeFileSync(join(dir, "image.ts"), 'import { from } from "strata-build";\nimport { tools } from "./lib.ts";\n\nexport default tools(from("busybox:latest"));\n');
    writeFileSync(join(dir, "lib.ts"), 'import type { Image } from "strata-build";\n\nexport const tools = (i: Image): Image =>\n  i.workdir("/tools");\n');
    const explain = installed(["explain", "--offline", "--format", "json", join(dir, "image.ts")]);
    expect(explain.code, explain.stderr).toBe(0);
    const plan = JSON.parse(explain.stdout) as { instructions: { file: string; line: number }[] };
    expect(plan.instructions.map((i) => [i.file, i.line])).toEqual([
      [join(dir, "image.ts"), 4],
      [join(dir, "lib.ts"), 4],
    ]);
    writeFileSync(join(dir, "lib.ts"), 'export const tools = (i: unknown) => {\n  throw new Error("broken tools");\n};\n');
    const check = installed(["check", join(dir, "image.ts")]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`error[TS003]: ${join(dir, "lib.ts")}:2:9: image.ts threw: broken tools`);
  });

  it("gives the user's tsc the stdlib's types: the init project checks, a bad call fails in tsc as in strata", () => {
    const tsc = join(repoRoot, "node_modules/.bin/tsc");
    const ok = spawnSync(tsc, ["-p", project], { encoding: "utf8" });
    expect(ok.status, ok.stdout).toBe(0);
    writeFileSync(join(project, "image.ts"), 'import { from } from "strata-build";\n\nexport default from("busybox:latest").expose("80/xyz");\n');
    const bad = spawnSync(tsc, ["-p", project], { encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("TS2345");
    const check = installed(["check", "image.ts"]);
    expect(check.stdout).toContain("image.ts:3:46: error[TS2345]");
  });

  it("writes nothing under the install directory", () => {
    expect(tree(pkg)).toEqual(before);
  });
});
