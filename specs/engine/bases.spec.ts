/**
 * One base-image resolver for both front ends: a base the store lacks is
 * pulled by `build` (Dockerfile FROM and image.ts `from()` alike) and an image
 * that cannot be had is reported at the instruction that names it; `explain`
 * fetches only the manifest and config of a missing base (no layer, nothing
 * stored), and with --offline asks no registry at all. A proxy in front of
 * the registry records every request, so the specs can tell what was fetched.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, strataAsync, tempDir } from "../helpers/strata.ts";
import { imageDigests, startProxy, startRegistry, type TestRegistry } from "../registry/helpers.ts";

describe("base images the store lacks", () => {
  let reg: TestRegistry;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let seed: { root: string; cleanup: () => void };
  const requests: string[] = [];
  const dirs: string[] = [];
  let base: string;
  let baseId: string;

  const fresh = (name: string): string => {
    const d = tempDir(name);
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startProxy(reg.port, (req) => {
      requests.push(`${req.method} ${req.url}`);
      return false;
    });
    seed = storeWithBusybox("bases");
    base = `${proxy.host}/base/busybox:1`;
    expect(strata(seed.root, ["tag", "busybox:latest", base]).code).toBe(0);
    const push = await strataAsync(seed.root, ["push", base]);
    expect(push.code, push.stderr).toBe(0);
    baseId = (imageDigests(seed.root, "busybox:latest") as { id: string }).id;
  });
  afterAll(async () => {
    await proxy.close();
    await reg.stop();
    seed.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const project = (files: Record<string, string>): string => {
    const dir = fresh("bases-ctx");
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const env = { SOURCE_DATE_EPOCH: "1700000000" };

  it("build pulls a Dockerfile's missing FROM and an image.ts's missing from() alike, to the same image", async () => {
    const df = project({ Dockerfile: `FROM ${base}\nRUN echo built > /built\n` });
    const ts = project({ "image.ts": `import { from, sh } from "strata-build";\n\nexport default from("${base}").run(sh\`echo built > /built\`);\n` });
    const a = fresh("bases-a");
    const b = fresh("bases-b");
    const built = [await strataAsync(a, ["build", "-t", "out:1", df], { env }), await strataAsync(b, ["build", "-t", "out:1", ts], { env })];
    for (const r of built) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/Pull complete/);
    }
    expect(imageDigests(a, `${proxy.host}/base/busybox:1`)?.id).toBe(baseId);
    expect(imageDigests(b, `${proxy.host}/base/busybox:1`)?.id).toBe(baseId);
    expect(imageDigests(a, "out:1")?.id).toBe(imageDigests(b, "out:1")?.id);
  });

  it("an image that cannot be had is an IMG001 error at the FROM line, and at the from(...) call", async () => {
    const missing = `${proxy.host}/nope/none:1`;
    const df = project({ Dockerfile: `# a base that is nowhere\nFROM ${missing}\nRUN true\n` });
    const line = `export const app = from("${missing}").run("true");`;
    const ts = project({ "image.ts": `import { from } from "strata-build";\n\n${line}\nexport default app;\n` });
    const root = fresh("bases-missing");
    const d = await strataAsync(root, ["build", df]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(new RegExp(`Dockerfile:2:1: error\\[IMG001\\]: image "${missing}" is not in the local store and could not be pulled: .*manifest unknown`));
    expect(d.stderr).toContain(`> 2 | FROM ${missing}`);
    const t = await strataAsync(root, ["build", ts]);
    expect(t.code).toBe(1);
    const col = line.indexOf("from(") + 1;
    expect(t.stderr).toMatch(new RegExp(`image\\.ts:3:${col}: error\\[IMG001\\]: image "${missing}" is not in the local store and could not be pulled`));
    expect(t.stderr).toContain(`> 3 | ${line}`);
  });

  it("explain fetches only the manifest and config of a missing base: no layer, nothing stored", async () => {
    const df = project({ Dockerfile: `FROM ${base}\nRUN echo built > /built\nCOPY Dockerfile /\n` });
    const root = fresh("bases-explain");
    requests.length = 0;
    const r = await strataAsync(root, ["explain", "--format", "json", df]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { layers: { cache: string }[]; notes: string[] };
    expect(plan.layers.map((l) => l.cache)).toEqual(["miss", "miss"]);
    expect(plan.notes.join("\n")).toContain(`${base}: not in the local store; fetched only its manifest and config from ${proxy.host} (image ID ${baseId}), no layers`);
    // The config is the only blob asked for: no layer.
    expect(requests.filter((q) => q.includes("/blobs/"))).toEqual([`GET /v2/base/busybox/blobs/${baseId}`]);
    expect(readdirSync(join(root, "blobs/sha256"))).toEqual([]);
    expect(strata(root, ["images", "-q"]).stdout).toBe("");
  });

  it("explain --offline asks no registry: the layers on the missing base are unknown", async () => {
    const df = project({ Dockerfile: `FROM ${base}\nRUN echo built > /built\n` });
    const root = fresh("bases-offline");
    requests.length = 0;
    const r = await strataAsync(root, ["explain", "--offline", df]);
    expect(r.code, r.stderr).toBe(0);
    expect(requests).toEqual([]);
    expect(r.stdout).toMatch(/#1 stage 0 {2}UNKNOWN/);
    expect(r.stdout).toContain("1 layers: 0 hit, 0 miss, 1 unknown");
    expect(r.stdout).toContain(`note: ${base}: not in the local store and not looked up (--offline)`);
  });
});
