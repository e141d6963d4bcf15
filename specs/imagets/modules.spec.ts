import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileImageTs } from "../../runtime/imagets/compile.ts";
import { repoRoot, strata, tempDir } from "../helpers/strata.ts";

/**
 * What an image.ts may import, as the CLI evaluates it (runtime/imagets/loader.ts): its own
 * modules (.ts, .js, .mts, JSON) with each builder call placed at its module's line, the
 * user's packages and Node's builtins, and "strata-build"; and what it may not, each a
 * diagnostic at the import (TS002, TS2307 with a hint), never a stack trace.
 */
const work = tempDir("imagets-modules");
const root = join(work, "store");
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A project folder with these files (paths relative to it). */
function project(files: Record<string, string>): string {
  const dir = join(work, `p${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

type Explained = { instructions: { file: string; line: number; text: string }[] };
function explain(dir: string): Explained {
  const r = strata(root, ["explain", "--offline", "--format", "json", join(dir, "image.ts")]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Explained;
}

function check(dir: string): { code: number; out: string } {
  const r = strata(root, ["check", join(dir, "image.ts")]);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return { code: r.code, out: r.stdout + r.stderr };
}

const noImages = (ref: string) => ({ ref, digest: "", config: {} });

describe("an image.ts's own modules", () => {
  it("places each builder call in the module that made it: .ts, .js and .mts modules, JSON data", () => {
    const dir = project({
      "image.ts": [
        'import { scratch } from "strata-build";',
        'import { withTools } from "./lib.ts";',
        'import { labelled } from "./more.mjs";',
        'import config from "./config.json";',
        "",
        "export default labelled(withTools(scratch()).env({ NAME: config.name }));",
        "",
      ].join("\n"),
      "lib.ts": ['import type { Image } from "strata-build";', 'import { port } from "./ports.js";', "", "export function withTools(i: Image): Image {", "  return i.workdir(`/tools`).expose(port());", "}", ""].join("\n"),
      "ports.js": "export function port() {\n  return 8080;\n}\n",
      "more.mts": ['import type { Image } from "strata-build";', "", "export const labelled = (i: Image): Image =>", '  i.label({ made: "more" });', ""].join("\n"),
      "config.json": '{ "name": "from-json" }\n',
    });
    const plan = explain(dir);
    const at = (text: string) => plan.instructions.find((i) => i.text.startsWith(text));
    expect(at("workdir")).toMatchObject({ file: join(dir, "lib.ts"), line: 5 });
    expect(at("expose")).toMatchObject({ file: join(dir, "lib.ts"), line: 5 });
    expect(at("label")).toMatchObject({ file: join(dir, "more.mts"), line: 4 });
    expect(at("env")).toMatchObject({ file: join(dir, "image.ts"), line: 6 });
    expect(at("env")?.text).toContain("config.name");
  });

  it("names the line:col of a type error in an imported module", () => {
    const dir = project({
      "image.ts": 'import { scratch } from "strata-build";\nimport { withPort } from "./lib.ts";\n\nexport default withPort(scratch());\n',
      "lib.ts": 'import type { Image } from "strata-build";\n\nexport function withPort(i: Image): Image {\n  return i.expose("80/xyz");\n}\n',
    });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error[TS2345]: ${join(dir, "lib.ts")}:4:19: Argument of type '"80/xyz"'`);
  });

  it("places a throw in an imported module at the throw (TS003)", () => {
    const dir = project({
      "image.ts": 'import { scratch } from "strata-build";\nimport { boom } from "./lib.ts";\n\nexport default scratch().workdir(boom());\n',
      "lib.ts": 'export function boom(): string {\n  throw new Error("no tools here");\n}\n',
    });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error[TS003]: ${join(dir, "lib.ts")}:2:9: image.ts threw: no tools here`);
  });

  it("reports an import that nothing provides as TS002 at the import's line:col", () => {
    // The type check accepts it (an ambient declaration); evaluation finds no such package.
    const dir = project({
      "ambient.d.ts": 'declare module "virtual-tools" {\n  export const path: string;\n}\n',
      "image.ts": '/// <reference path="./ambient.d.ts" />\nimport { scratch } from "strata-build";\nimport { path } from "virtual-tools";\n\nexport default scratch().workdir(path);\n',
    });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(dir, "image.ts")}:3:22: error[TS002]: cannot find package "virtual-tools"`);
    expect(r.out).toContain('> 3 | import { path } from "virtual-tools";');
  });

  it("reports a missing file that a second module imports as TS002 in that module, at its import", () => {
    // A .js module is not type-checked (checkJs is off): only evaluation sees the missing file.
    const dir = project({
      "image.ts": 'import { scratch } from "strata-build";\nimport { dir } from "./lib.js";\n\nexport default scratch().workdir(dir);\n',
      "lib.js": '// helpers\nimport { name } from "./gone.js";\nexport const dir = "/" + name;\n',
    });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error[TS002]: ${join(dir, "lib.js")}:2:22: cannot find "./gone.js": no such file`);
  });

  it("reports a module that does not transpile as TS002 at the error, in that module", async () => {
    const dir = project({
      "image.ts": 'import { scratch } from "strata-build";\nimport { dir } from "./lib.ts";\n\nexport default scratch().workdir(dir);\n',
      "lib.ts": 'export const dir = "/a";\nexport const broken = (;\n',
    });
    const r = await compileImageTs({ file: join(dir, "image.ts"), displayName: "image.ts", buildArgs: {}, resolveImage: noImages, noTypeCheck: true });
    expect(r.diagnostics).toMatchObject([{ code: "TS002", file: "image.ts", message: "lib.ts:2:24: cannot transpile: Expression expected." }]);
  });

  it("refuses an import cycle, naming the modules in it", () => {
    const dir = project({
      "image.ts": 'import { scratch } from "strata-build";\nimport { b } from "./b.ts";\n\nexport const a = scratch();\nexport default b;\n',
      "b.ts": 'import { a } from "./image.ts";\n\nexport const b = a.workdir("/b");\n',
    });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`error[TS002]: ${join(dir, "b.ts")}:1:19: import cycle: ${join(dir, "image.ts")} → ${join(dir, "b.ts")} → ${join(dir, "image.ts")}`);
  });
});

describe("ES module features in CommonJS", () => {
  it("gives import.meta the module's url, filename and dirname", async () => {
    const dir = project({
      "image.ts": 'import { scratch } from "strata-build";\nimport { here } from "./sub/lib.ts";\n\nexport default scratch().label({ dir: import.meta.dirname, url: import.meta.url, sub: here });\n',
      "sub/lib.ts": "export const here: string = import.meta.filename;\n",
    });
    const r = await compileImageTs({ file: join(dir, "image.ts"), buildArgs: {}, resolveImage: noImages, noTypeCheck: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.graph?.stages[0]?.steps.at(-1)?.config.Labels).toEqual({ dir, url: `file://${dir}/image.ts`, sub: join(dir, "sub/lib.ts") });
  });

  it("refuses top-level await as TS002 at its line", () => {
    const dir = project({ "image.ts": 'import { scratch } from "strata-build";\n\nconst name = await Promise.resolve("x");\nexport default scratch().workdir(name);\n' });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(dir, "image.ts")}:3:1: error[TS002]: cannot run: top-level await is not supported in image.ts`);
  });
});

describe("the import name", () => {
  it('is "strata-build": "strata" is TS2307 with a hint, in the type check and in evaluation', async () => {
    const dir = project({ "image.ts": 'import { scratch } from "strata";\n\nexport default scratch();\n' });
    const r = check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(dir, "image.ts")}:1:25: error[TS2307]: Cannot find module 'strata'`);
    expect(r.out).toContain('hint: the import name is "strata-build"');
    const evaluated = await compileImageTs({ file: join(dir, "image.ts"), displayName: "image.ts", buildArgs: {}, resolveImage: noImages, noTypeCheck: true });
    expect(evaluated.diagnostics).toMatchObject([{ code: "TS002", message: 'cannot find module "strata"', span: { start: 24 } }]);
    expect(evaluated.diagnostics[0]?.hint).toContain('"strata-build"');
  });

  it("gives the same stdlib objects the CLI lowers (an Image from it is an image)", async () => {
    const dir = project({ "image.ts": 'import * as strata from "strata-build";\n\nexport const web = strata.scratch().workdir("/w");\nexport default strata.from(web).cmd(["x"]);\n' });
    const r = await compileImageTs({ file: join(dir, "image.ts"), displayName: "image.ts", buildArgs: {}, resolveImage: noImages });
    expect(r.diagnostics).toEqual([]);
    expect(r.graph?.stages.map((s) => s.name)).toEqual(["web", undefined]);
    expect(r.graph?.stages[1]?.base).toEqual({ type: "stage", stage: 0 });
  });
});

describe("packages and builtins", () => {
  it("imports the user's packages from their node_modules (CommonJS and ES modules, with their types)", async () => {
    const dir = project({
      "node_modules/greet-cjs/package.json": '{ "name": "greet-cjs", "version": "1.0.0", "main": "index.js", "types": "index.d.ts" }\n',
      "node_modules/greet-cjs/index.js": 'exports.greeting = "hello from cjs";\n',
      "node_modules/greet-cjs/index.d.ts": "export declare const greeting: string;\n",
      "node_modules/greet-esm/package.json": '{ "name": "greet-esm", "version": "1.0.0", "type": "module", "exports": { ".": { "types": "./index.d.ts", "default": "./index.js" } } }\n',
      "node_modules/greet-esm/index.js": "export default function shout(s) {\n  return s.toUpperCase();\n}\n",
      "node_modules/greet-esm/index.d.ts": "export default function shout(s: string): string;\n",
      "image.ts": 'import { scratch } from "strata-build";\nimport { greeting } from "greet-cjs";\nimport shout from "greet-esm";\n\nexport default scratch().label({ greeting, loud: shout(greeting) });\n',
    });
    expect(explain(dir).instructions.find((i) => i.text.startsWith("label"))).toMatchObject({ file: join(dir, "image.ts"), line: 5 });
    const c = await compileImageTs({ file: join(dir, "image.ts"), buildArgs: {}, resolveImage: noImages });
    expect(c.diagnostics).toEqual([]);
    const labels = JSON.stringify(c.graph?.stages[0]?.steps.at(-1)?.config);
    expect(labels).toContain('"greeting":"hello from cjs"');
    expect(labels).toContain('"loud":"HELLO FROM CJS"');
  });

  it("imports Node's builtins (their types from the user's @types/node)", () => {
    const dir = project({
      "image.ts": '/// <reference types="node" />\nimport { posix } from "node:path";\nimport { scratch } from "strata-build";\n\nexport default scratch().workdir(posix.join("/srv", "app"));\n',
    });
    mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules/@types/node"), join(dir, "node_modules/@types/node"));
    const plan = explain(dir);
    expect(plan.instructions.find((i) => i.text.startsWith("workdir"))).toMatchObject({ line: 5 });
    const bare = project({ "image.ts": 'import { posix } from "node:path";\nimport { scratch } from "strata-build";\n\nexport default scratch().workdir(posix.join("/srv", "app"));\n' });
    const r = check(bare);
    expect(r.code).toBe(1);
    expect(r.out).toContain("error[TS2591]: Cannot find name 'node:path'");
    expect(r.out).toContain('hint: strata reads no tsconfig.json: with @types/node installed, add /// <reference types="node" />');
  });
});
