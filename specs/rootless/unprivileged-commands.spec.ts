/**
 * The commands that move and inspect images, as an ordinary user (issue 20, item 3): push to a
 * registry on 127.0.0.1 and pull back into a second store, save and load, explain, check and
 * convert, all rootless by themselves, with the digests root's commands give.
 */
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { asUser, describeRootless, userDir, userStoreWithBusybox } from "../helpers/rootless.ts";
import { repoRoot, strataAsync } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";

describeRootless("rootless: registry, save/load, explain, check and convert as an ordinary user", () => {
  let stores: { root: string; userRoot: string; cleanup: () => void };
  let reg: TestRegistry;
  let work: string;
  const hello = join(repoRoot, "examples/hello");
  const SDE = { SOURCE_DATE_EPOCH: "1700000000" };

  beforeAll(async () => {
    [stores, reg] = await Promise.all([userStoreWithBusybox("rootless-unpriv"), startRegistry()]);
    work = userDir("rootless-unpriv-work");
    const built = await asUser(["--root", stores.userRoot, "build", "-q", "-t", "hello:latest", hello], { env: SDE });
    expect(built.code, built.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await reg?.stop();
    stores?.cleanup();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("pushes to a registry on 127.0.0.1 and pulls into another store, digests intact", { timeout: 120_000 }, async () => {
    const ref = `${reg.host}/rootless/hello:latest`;
    expect((await asUser(["--root", stores.userRoot, "tag", "hello:latest", ref])).code).toBe(0);
    const push = await asUser(["--root", stores.userRoot, "push", ref]);
    expect(push.code, push.stderr).toBe(0);
    const other = join(work, "other-store");
    const pull = await asUser(["--root", other, "pull", ref]);
    expect(pull.code, pull.stderr).toBe(0);
    const ids = await Promise.all([stores.userRoot, other].map((r) => asUser(["--root", r, "inspect", "--format", "{{.Id}}", ref])));
    expect(ids[0]?.stdout.trim()).toMatch(/^sha256:/);
    expect(ids[1]?.stdout).toBe(ids[0]?.stdout);
    // And root's build of the same file on the same base is that image.
    const asRoot = await strataAsync(stores.root, ["build", "-q", "-t", "hello:latest", hello], { env: SDE });
    expect(asRoot.stdout.trim().split("\n").at(-1)).toBe(ids[0]?.stdout.trim());
  });

  it("saves and loads an archive", { timeout: 60_000 }, async () => {
    const tar = join(work, "hello.tar");
    const save = await asUser(["--root", stores.userRoot, "save", "-o", tar, "hello:latest"]);
    expect(save.code, save.stderr).toBe(0);
    const fresh = join(work, "loaded-store");
    const load = await asUser(["--root", fresh, "load", "-i", tar]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toContain("hello:latest");
    const run = await asUser(["--root", fresh, "run", "--rm", "hello:latest", "cat", "/app/data/run.txt"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("hello from a RUN step\n");
  });

  it("explains (all cached after the build), checks and converts", async () => {
    const explain = await asUser(["--root", stores.userRoot, "explain", "--format", "json", hello], { env: SDE });
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('"hit"');
    const df = join(work, "Dockerfile");
    writeFileSync(df, "FROM busybox:latest\nRUN echo hi\nCMD echo done\n");
    chmodSync(df, 0o644);
    const check = await asUser(["--root", stores.userRoot, "check", "-f", df, work]);
    expect(check.stdout + check.stderr).toContain("JSONArgsRecommended");
    const convert = await asUser(["convert", df]);
    expect(convert.code, convert.stderr).toBe(0);
    expect(convert.stdout).toContain('from "strata-build"');
  });
});
