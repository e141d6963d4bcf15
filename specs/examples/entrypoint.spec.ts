/**
 * examples/entrypoint: ENTRYPOINT in exec form, CMD its default arguments, in both front ends.
 * What the README shows is checked by documented-output.spec.ts; this spec checks the rest: the
 * image config, that Dockerfile and image.ts make the same image, and how arguments are joined.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";
import { importBusybox } from "../reliability/busybox.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn("specs/examples/entrypoint.spec.ts: skipped, it needs root (runc, overlayfs)");

describe.skipIf(!isRoot)("examples/entrypoint: ENTRYPOINT in exec form, default arguments in CMD", () => {
  let root: string;
  const ids: Record<string, string> = {};
  beforeAll(() => {
    root = tempDir("entrypoint-root");
    importBusybox(root);
    for (const [tag, file] of [
      ["entrypoint:latest", "examples/entrypoint/Dockerfile"],
      ["entrypoint:ts", "examples/entrypoint/image.ts"],
    ] as const) {
      const b = strata(root, ["build", "-q", "-t", tag, "-f", file, "examples/entrypoint"]);
      if (b.code !== 0) throw new Error(`strata build -f ${file} failed (exit ${b.code}):\n${b.stderr}`);
      ids[tag] = b.stdout.trim();
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("stores the entrypoint script and the default arguments in the image config", () => {
    const cfg = spawnSync("skopeo", ["inspect", "--config", `oci:${root}:entrypoint:latest`], { encoding: "utf8" });
    expect(cfg.status, cfg.stderr).toBe(0);
    const config = JSON.parse(cfg.stdout).config;
    expect(config.Entrypoint).toEqual(["/bin/sh", "-c", 'echo "Hello, $*!"', "greet"]);
    expect(config.Cmd).toEqual(["world"]);
  });

  it("the Dockerfile and image.ts build the same image", () => {
    expect(ids["entrypoint:latest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ids["entrypoint:ts"]).toBe(ids["entrypoint:latest"]);
  });

  it("arguments after the image replace CMD and are joined into one greeting, unexpanded", () => {
    const many = strata(root, ["run", "--rm", "entrypoint:latest", "one", "two", "three"]);
    expect(many.code, many.stderr).toBe(0);
    expect(many.stdout).toBe("Hello, one two three!\n");
    // "$*" is quoted in the script: an argument is printed as given, never expanded or split.
    const literal = strata(root, ["run", "--rm", "entrypoint:latest", "$HOME", "*"]);
    expect(literal.stdout).toBe("Hello, $HOME *!\n");
  });

  it("--entrypoint replaces the entrypoint and drops CMD's defaults", () => {
    const r = strata(root, ["run", "--rm", "--entrypoint", "/bin/echo", "entrypoint:latest"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("\n");
    const withArgs = strata(root, ["run", "--rm", "--entrypoint", "/bin/echo", "entrypoint:latest", "just", "echo"]);
    expect(withArgs.stdout).toBe("just echo\n");
  });
});
