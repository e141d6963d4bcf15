import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";
import { importBusybox } from "../reliability/busybox.ts";

/** `strata init`: a starter project strata checks and explains as written, and that is never overwritten unasked. */
const work = tempDir("imagets-init");
const root = join(work, "store");
beforeAll(() => importBusybox(root));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FILES = ["image.ts", "tsconfig.json", ".dockerignore"];

describe("strata init", () => {
  it("writes a starter image.ts, tsconfig.json and .dockerignore that check and explain clean", () => {
    const dir = join(work, "new/app"); // made if missing
    const r = strata(root, ["init", dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of FILES) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(r.stdout).toContain(`wrote ${join(dir, "image.ts")}`);
    expect(r.stdout).toContain("npm i -D strata-build typescript");
    expect(r.stdout).toContain(`strata build -t app ${dir}`);
    const imageTs = readFileSync(join(dir, "image.ts"), "utf8");
    expect(imageTs).toContain('from "strata-build"');
    expect(imageTs).toContain('from("busybox:latest")');
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown>; include: string[] };
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, noEmit: true, moduleResolution: "bundler" });
    expect(tsconfig.include).toEqual(["image.ts"]);
    expect(readFileSync(join(dir, ".dockerignore"), "utf8").split("\n")).toEqual(["node_modules", ".git", ""]);

    const check = strata(root, ["check", join(dir, "image.ts")]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("0 errors, 0 warnings");
    const explain = strata(root, ["explain", "--offline", "--format", "json", dir]);
    expect(explain.code, explain.stderr).toBe(0);
    const plan = JSON.parse(explain.stdout) as { instructions: { file: string; line: number; becomes: string }[] };
    expect(plan.instructions.every((i) => i.file === join(dir, "image.ts"))).toBe(true);
    expect(plan.instructions.map((i) => i.becomes)).toEqual(["base", "layer", "layer", "config"]);
  });

  it("writes into the current folder by default", () => {
    const dir = join(work, "here");
    mkdirSync(dir);
    const r = strata(root, ["init"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const f of FILES) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it("overwrites nothing: an existing file is FILE_EXISTS (exit 1), naming it, and nothing is written; --force overwrites", () => {
    const dir = join(work, "again");
    expect(strata(root, ["init", dir]).code).toBe(0);
    writeFileSync(join(dir, "image.ts"), "// mine\n");
    const again = strata(root, ["init", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`strata: error[FILE_EXISTS]: ${join(dir, "image.ts")}`);
    expect(readFileSync(join(dir, "image.ts"), "utf8")).toBe("// mine\n");

    const partly = join(work, "partly");
    mkdirSync(partly);
    writeFileSync(join(partly, ".dockerignore"), "secret\n");
    const r = strata(root, ["init", partly]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[FILE_EXISTS]: ${join(partly, ".dockerignore")} exists`);
    expect(r.stderr).not.toContain("image.ts");
    expect(existsSync(join(partly, "image.ts"))).toBe(false);

    const forced = strata(root, ["init", "--force", dir]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, "image.ts"), "utf8")).toContain('from "strata-build"');
  });
});
