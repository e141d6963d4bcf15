import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";
import { rmSync } from "node:fs";

/**
 * `run` of an image the store lacks pulls it, as docker's does (`--pull
 * missing`, the default), from a real registry on 127.0.0.1; `--pull always`
 * and `never`; `--platform` against a local image of this machine's platform.
 */
describe("run pulls a missing image", () => {
  let reg: TestRegistry;
  let source: { root: string; cleanup: () => void };
  let root: string;
  let ref: string;

  beforeAll(async () => {
    reg = await startRegistry();
    source = storeWithBusybox("run-pull-src");
    ref = `${reg.host}/h19d/bb:1`;
    expect(strata(source.root, ["tag", "busybox:latest", ref]).code).toBe(0);
    const push = strata(source.root, ["push", ref]);
    expect(push.code, push.stderr).toBe(0);
    root = tempDir("run-pull-root");
  });

  afterAll(async () => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    rmSync(root, { recursive: true, force: true });
    source.cleanup();
    await reg.stop();
  });

  it("prints docker's 'Unable to find image' line, pulls, runs; the next run uses the local image", () => {
    const r = strata(root, ["run", "--rm", ref, "echo", "ran"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("ran\n");
    expect(r.stderr.split("\n")[0]).toBe(`Unable to find image '${ref}' locally`);
    expect(r.stderr).toMatch(/Digest: sha256:[a-f0-9]{64}/);
    expect(strata(root, ["images", "-q", ref]).stdout.trim()).toMatch(/^[a-f0-9]{12}$/);
    const again = strata(root, ["run", "--rm", ref, "echo", "again"]);
    expect(again.stdout).toBe("again\n");
    expect(again.stderr).toBe("");
  });

  it("a name without a tag is :latest in the message; run -d pulls too", () => {
    const latest = `${reg.host}/h19d/bb`;
    expect(strata(source.root, ["tag", "busybox:latest", `${latest}:latest`]).code).toBe(0);
    expect(strata(source.root, ["push", `${latest}:latest`]).code).toBe(0);
    const d = strata(root, ["run", "-d", latest, "sleep", "300"]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr.split("\n")[0]).toBe(`Unable to find image '${latest}:latest' locally`);
    expect(d.stdout.trim()).toMatch(/^[a-f0-9]{64}$/);
    expect(strata(root, ["rm", "-f", d.stdout.trim()]).code).toBe(0);
  });

  it("--pull always pulls a local image again; --pull never refuses a missing one (exit 125)", () => {
    const always = strata(root, ["run", "--rm", "--pull", "always", ref, "true"]);
    expect(always.code, always.stderr).toBe(0);
    expect(always.stderr).not.toContain("Unable to find image");
    expect(always.stderr).toMatch(/Digest: sha256:/);

    const missing = `${reg.host}/h19d/absent:1`;
    const never = strata(root, ["run", "--rm", "--pull", "never", missing, "true"]);
    expect(never.code).toBe(125);
    expect(never.stderr).toBe(`strata: error[IMAGE_NOT_FOUND]: No such image: ${missing}\n`);
    const notThere = strata(root, ["run", "--rm", missing, "true"]);
    expect(notThere.code).toBe(125);
    expect(notThere.stderr.split("\n")[0]).toBe(`Unable to find image '${missing}' locally`);
    expect(notThere.stderr).toMatch(/^strata: error\[[A-Z_]+\]: .*absent/m);
    const bad = strata(root, ["run", "--rm", "--pull", "sometimes", ref, "true"]);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe(`strata: error[USAGE]: invalid pull option: 'sometimes': must be one of "always", "missing" or "never"\n`);
  });

  it("--platform: a local image of another platform is not used (with --pull never, docker's mismatch error)", () => {
    const other = process.arch === "arm64" ? "linux/amd64" : "linux/arm64";
    const r = strata(root, ["run", "--rm", "--pull", "never", "--platform", other, ref, "true"]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^strata: error\\[IMAGE_NOT_FOUND\\]: image with reference ${ref} was found but does not match the specified platform: wanted ${other}, actual: linux/[a-z0-9]+\\n$`));
    const here = process.arch === "arm64" ? "linux/arm64" : "linux/amd64";
    const same = strata(root, ["run", "--rm", "--pull", "never", "--platform", here, ref, "echo", "ok"]);
    expect(same.stdout).toBe("ok\n");
  });
});
