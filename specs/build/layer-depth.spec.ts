/**
 * Issue 17 item 24: the plan-time layer guard is for the deepest mount any command will make of
 * what the build produces, `strata run` of the image included (a container stacks all the
 * image's layers under its init layer, with its own upper and work dirs, longer than a build
 * step's: it fits fewer layers). An image of exactly as many layers as a container here can
 * mount builds and runs; one layer more is refused while planning, before any step runs, where
 * it used to build and then fail to run. An image over docker's 125-layer limit is a warning.
 * The deep bases are OCI archives of tiny layers (helpers/oci-archive.ts); busybox is copied on
 * top so the image can run something.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxLayers } from "../../runtime/engine/plan/checks.ts";
import { StoreLayout } from "../../runtime/store/layout.ts";
import { writeLayeredArchive } from "../helpers/oci-archive.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("the plan's layer guard covers a container of the image, and warns past docker's limit", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  /** The most layers a container of this store can mount (the guard's figure; the first spec shows it is the real one). */
  let max: number;
  const snapshots = () => (existsSync(join(root, "snapshots")) ? readdirSync(join(root, "snapshots")).length : 0);
  const build = (name: string, steps: readonly string[], base: string) => {
    writeFileSync(join(ctx, `${name}.Dockerfile`), [`FROM ${base}`, ...steps, ""].join("\n"));
    return strata(root, ["build", "--progress", "plain", "-f", join(ctx, `${name}.Dockerfile`), "-t", `${name}:1`, ctx]);
  };
  const busybox = "COPY --from=busybox:latest /bin/busybox /bin/busybox";

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("layer-depth"));
    ctx = tempDir("layer-depth-ctx");
    writeFileSync(join(ctx, "a"), "a\n");
    max = maxLayers(new StoreLayout(root)).container;
    // Build steps have shorter scratch paths than a container's: they fit more layers.
    expect(maxLayers(new StoreLayout(root)).build).toBeGreaterThan(max);
    for (const [name, n] of [
      ["deep", max - 1],
      ["deep124", 124],
    ] as const) {
      writeLayeredArchive(join(ctx, `${name}.tar`), `${name}:1`, n);
      const l = strata(root, ["load", "-i", join(ctx, `${name}.tar`)]);
      if (l.code !== 0) throw new Error(l.stderr);
    }
  }, 120_000);
  afterAll(() => cleanup());

  it("an image of as many layers as a container can mount builds (a warning: more than docker's 125) and runs", () => {
    const b = build("fits", [busybox], "deep:1");
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`warning[PLAN_OVER_DOCKER_LAYERS]: the image will have ${max} layers; docker refuses an image of more than 125`);
    const r = strata(root, ["run", "--rm", "fits:1", "/bin/busybox", "cat", "/layer/0000", `/layer/${String(max - 2).padStart(4, "0")}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`layer 0\nlayer ${max - 2}\n`);
  }, 60_000);

  it("one layer more is refused while planning, exit 1, before any step runs (it used to build, then fail to run)", () => {
    const before = snapshots();
    const b = build("over", ["COPY a /a", busybox], "deep:1");
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toContain(`strata: error[PLAN_TOO_MANY_LAYERS]: the image would have ${max + 1} layers; a container of it (strata run) stacks them under its init layer, and overlayfs here can mount at most ${max}: merge RUNs or squash the base`);
    expect(b.stderr).not.toMatch(/^#\d+ .*COPY/m);
    expect(snapshots()).toBe(before);
    expect(strata(root, ["inspect", "over:1"]).code).toBe(1);
  }, 60_000);

  it("125 layers: no warning; 126: docker's limit is named", () => {
    const at = build("at125", ["COPY a /a"], "deep124:1");
    expect(at.code, at.stderr).toBe(0);
    expect(at.stderr).not.toContain("PLAN_OVER_DOCKER_LAYERS");
    const over = build("at126", ["COPY a /a", "COPY a /b"], "deep124:1");
    expect(over.code, over.stderr).toBe(0);
    expect(over.stderr).toContain("warning[PLAN_OVER_DOCKER_LAYERS]: the image will have 126 layers");
  }, 60_000);
});
