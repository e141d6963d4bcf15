import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { imageDigests, startRegistry, type TestRegistry } from "./helpers.ts";

describe("a registry as the shared build cache", () => {
  let reg: TestRegistry;
  let root: string;
  let cleanup: () => void;
  let dir: string;
  beforeAll(async () => {
    reg = await startRegistry();
    ({ root, cleanup } = storeWithBusybox("cache"));
    dir = tempDir("cache");
  });
  afterAll(async () => {
    await reg.stop();
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a second root with --cache-from rebuilds bench's tiny scenario without starting any container", () => {
    const base = `${reg.host}/busybox:latest`;
    strata(root, ["tag", "busybox:latest", base]);
    expect(strata(root, ["push", base]).code).toBe(0);
    const ctx = join(dir, "ctx");
    mkdirSync(ctx);
    writeFileSync(
      join(ctx, "Dockerfile"),
      [`FROM ${base}`, "ENV APP=tiny", "RUN echo one > /one", "RUN echo two > /two", "RUN echo three > /three", "RUN echo four > /four", "RUN echo five > /five", "WORKDIR /app", "COPY app.txt ./", 'CMD ["cat", "/app/app.txt"]', ""].join("\n"),
    );
    writeFileSync(join(ctx, "app.txt"), "tiny\n");
    const cache = `registry:${reg.host}/cache:tiny`;
    const first = strata(root, ["build", "--progress", "plain", "-t", "tiny:1", "--cache-to", cache, ctx]);
    expect(first.code, first.stderr).toBe(0);
    // Seven steps (five RUNs, WORKDIR, COPY) and the merged layer of the five RUNs.
    expect(first.stderr).toMatch(/cache exported to .*: 8 records, 8 layers/);

    // The second machine: a fresh root, the base pulled by FROM, and a runc that logs every call.
    const second = tempDir("cache-second");
    const shim = join(dir, "shim");
    mkdirSync(shim);
    const log = join(shim, "calls.log");
    const real = spawnSync("sh", ["-c", "command -v runc"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(shim, "runc"), `#!/bin/sh\necho "$*" >> ${log}\nexec ${real} "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${shim}:${process.env.PATH}` };

    const explain = strata(second, ["explain", "--cache-from", cache, ctx], { env });
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout.match(/ HIT /g)?.length).toBe(3);
    expect(explain.stdout).not.toMatch(/ MISS /);

    const b = strata(second, ["build", "--progress", "plain", "-t", "tiny:1", "--cache-from", cache, ctx], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/0 steps run, 7 cached/);
    // The preflight asks runc its version (runtime/cli/preflight.ts); no other runc call, so no container.
    expect(existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l !== "" && l !== "--version") : []).toEqual([]);
    // The same image: its base layers are the registry's compressed blobs there, so only the manifest differs.
    expect(imageDigests(second, "tiny:1")?.id).toBe(imageDigests(root, "tiny:1")?.id);
    expect(strata(second, ["system", "verify"]).stdout).toMatch(/ok/);
    // The shim works: running the image does call it.
    expect(strata(second, ["run", "--rm", "tiny:1"], { env }).stdout).toBe("tiny\n");
    expect(readFileSync(log, "utf8")).toMatch(/run/);
    rmSync(second, { recursive: true, force: true });
  });

  it("a cache that does not exist yet is a note, not an error", () => {
    const ctx = join(dir, "ctx");
    const b = strata(root, ["explain", "--cache-from", `registry:${reg.host}/cache:none`, ctx]);
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/not found; building without it/);
  });
});
