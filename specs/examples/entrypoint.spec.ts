import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";

describe("examples/entrypoint: ENTRYPOINT in exec form, default arguments in CMD", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("entrypoint"));
    const b = strata(root, ["build", "-t", "entrypoint:latest", "examples/entrypoint"]);
    if (b.code !== 0) throw new Error(`strata build examples/entrypoint failed (exit ${b.code}):\n${b.stderr}`);
  });
  afterAll(() => cleanup());

  it("stores the entrypoint and the default arguments in the image config", () => {
    const cfg = spawnSync("skopeo", ["inspect", "--config", `oci:${root}:entrypoint:latest`], { encoding: "utf8" });
    expect(cfg.status).toBe(0);
    const config = JSON.parse(cfg.stdout).config;
    expect(config.Entrypoint).toEqual(["/usr/bin/printf", "Hello, %s!\n"]);
    expect(config.Cmd).toEqual(["world"]);
  });

  it("without arguments runs the entrypoint with CMD's defaults", () => {
    const r = strata(root, ["run", "--rm", "entrypoint:latest"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Hello, world!\n");
  });

  it("arguments after the image replace CMD, and the entrypoint stays", () => {
    const r = strata(root, ["run", "--rm", "entrypoint:latest", "Strata users"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Hello, Strata users!\n");
    // printf reuses its format for every further argument.
    const many = strata(root, ["run", "--rm", "entrypoint:latest", "one", "two"]);
    expect(many.stdout).toBe("Hello, one!\nHello, two!\n");
  });

  it("--entrypoint replaces the entrypoint and drops CMD's defaults", () => {
    const r = strata(root, ["run", "--rm", "--entrypoint", "/bin/echo", "entrypoint:latest"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("\n");
    const withArgs = strata(root, ["run", "--rm", "--entrypoint", "/bin/echo", "entrypoint:latest", "just", "echo"]);
    expect(withArgs.stdout).toBe("just echo\n");
  });
});
