import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("examples/hello end to end", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("hello"));
  });
  afterAll(() => cleanup());

  it("builds, and the image shows every instruction took effect", () => {
    const b = strata(root, ["build", "-t", "hello:latest", "examples/hello"]);
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    const r = strata(root, ["run", "--rm", "hello:latest"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("WORKDIR  -> /app");
    expect(r.stdout).toContain("USER     -> nobody (65534)");
    expect(r.stdout).toContain("ENV      -> GREETING=hello APP_HOME=/app");
    expect(r.stdout).toContain("COPY     -> Hello from a file COPY'd out of the build context.");
    expect(r.stdout).toContain("RUN      -> built by root in /app");
    expect(r.stdout).toContain("RUN      -> hello from a RUN step");
  });

  it("a second build is served wholly from the cache and starts no container", () => {
    // A runc first on PATH that logs every call, then hands over to the real one.
    const shim = tempDir("runc-shim");
    const log = join(shim, "calls.log");
    const real = spawnSync("sh", ["-c", "command -v runc"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(shim, "runc"), `#!/bin/sh\necho "$*" >> ${log}\nexec ${real} "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${shim}:${process.env.PATH}` };
    const probe = strata(root, ["run", "--rm", "hello:latest", "true"], { env });
    expect(probe.code).toBe(0);
    expect(readFileSync(log, "utf8")).toMatch(/ run /);
    rmSync(log);
    const b = strata(root, ["build", "-t", "hello:latest", "examples/hello"], { env });
    expect(b.code).toBe(0);
    // WORKDIR's mkdir, two COPY layers and the two adjacent RUNs (one image layer, each RUN cached alone).
    const layerSteps = b.stderr.split("\n").filter((l) => /^#\d+ \[.*\] (RUN|COPY|WORKDIR)/.test(l));
    expect(layerSteps.length).toBe(5);
    expect(b.stderr.match(/^#\d+ CACHED$/gm)?.length).toBe(5);
    expect(b.stderr).toMatch(/0 steps run, 5 cached/);
    // The preflight asks runc its version (runtime/cli/preflight.ts); no other runc call, so no container.
    expect(existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l !== "" && l !== "--version") : []).toEqual([]);
  });

  it("build-arg values reach ENV through expansion", () => {
    const b = strata(root, ["build", "-t", "hello:hola", "--build-arg", "GREETING=hola", "examples/hello"]);
    expect(b.code).toBe(0);
    const r = strata(root, ["run", "--rm", "hello:hola"]);
    expect(r.stdout).toContain("ENV      -> GREETING=hola APP_HOME=/app");
    expect(r.stdout).toContain("RUN      -> hola from a RUN step");
  });

  it("lists the image and its history like docker", () => {
    const images = strata(root, ["images"]);
    expect(images.stdout.split("\n")[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(images.stdout).toMatch(/^hello\s+latest\s+[0-9a-f]{12}\s+/m);
    const ls = strata(root, ["image", "ls", "-q"]);
    expect(ls.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(2);
    const h = strata(root, ["history", "--no-trunc", "hello:latest"]);
    expect(h.code).toBe(0);
    expect(h.stdout.split("\n")[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(h.stdout).toContain("CMD [\"/usr/local/bin/show\"]");
    // BuildKit's created_by: the stage's build args before the command (dockerfile2llb runCommandString).
    expect(h.stdout).toContain("RUN |1 GREETING=hello /bin/sh -c mkdir -p data");
    expect(h.stdout).toContain("WORKDIR /app");
    expect(h.stdout).toMatch(/<missing>/);
  });

  it("the store is an OCI image layout that skopeo and umoci read", () => {
    const s = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:hello:latest`], { encoding: "utf8" });
    expect(s.stderr).toBe("");
    expect(JSON.parse(s.stdout).layers.length).toBe(5);
    const cfg = spawnSync("skopeo", ["inspect", "--config", `oci:${root}:hello:latest`], { encoding: "utf8" });
    const config = JSON.parse(cfg.stdout);
    expect(config.config.Cmd).toEqual(["/usr/local/bin/show"]);
    expect(config.config.WorkingDir).toBe("/app");
    const u = spawnSync("umoci", ["ls", "--layout", root], { encoding: "utf8" });
    expect(u.status).toBe(0);
    expect(u.stdout).toContain("hello:latest");
  });

  it("a syntax error prints FILE:LINE:COL and a code frame, exits 1, and writes nothing", () => {
    const dir = tempDir("syntax");
    writeFileSync(join(dir, "Dockerfile"), "FROM busybox:latest\nRUN echo ok\nCOPPY a b\n");
    const list = () => spawnSync("find", [root, "-path", `${root}/run`, "-prune", "-o", "-print"], { encoding: "utf8" }).stdout;
    const before = list();
    const b = strata(root, ["build", "-t", "broken", dir]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/Dockerfile:3:1/);
    expect(b.stderr).toContain("> 3 | COPPY a b");
    expect(b.stderr).toMatch(/\^/);
    expect(list()).toBe(before);
  });

  it("is independent of the current directory and of where the context is", () => {
    const ctx = tempDir("ctx");
    cpSync(join(repoRoot, "examples/hello"), ctx, { recursive: true });
    const b = strata(root, ["build", "-q", ctx], { cwd: "/" });
    expect(b.code).toBe(0);
    expect(b.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
