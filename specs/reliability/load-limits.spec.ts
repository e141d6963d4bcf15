/**
 * The battery's case 43 (../shared/design/RELIABILITY.md): an image of 1,000 layers, written
 * here as an OCI archive (one tiny uncompressed layer each, deterministic bytes), keeps its
 * manifest digest through load → save → load; save and push (which gzip the layers) name one
 * distribution digest, and pull → save keeps it (a registry on 127.0.0.1); `strata run` of it exits 2 (ENV_LAYER_DEPTH, the preflight's layer depth,
 * before a layer is unpacked) and a build with a RUN on top exits 1 (PLAN_TOO_MANY_LAYERS,
 * while planning, before any work); each command's peak RSS stays under RSS_BUDGET_MB.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLayeredArchive } from "../helpers/oci-archive.ts";
import { repoRoot } from "../helpers/strata.ts";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

const LAYERS = 1000;
/**
 * Peak RSS of one strata command on this image (GNU time's %M), measured on a shared 2-core
 * machine: load 83 MB, save 80, push 99, pull 105 (Node alone is about 45 MB). The budget
 * leaves room for noise, not for a command that keeps a buffer per layer.
 */
const RSS_BUDGET_MB = 160;


interface Measured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly rssMb: number;
}

/**
 * strata under GNU time: its exit, output and peak RSS. Async: the registry's log pipe is read
 * by this process, and a blocked event loop would stall the registry.
 */
function measured(root: string, args: readonly string[]): Promise<Measured> {
  const c = spawn("/usr/bin/time", ["-f", "RSS_KB=%M", process.execPath, join(repoRoot, "bin/strata.js"), "--root", root, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    c.on("close", (code) => {
      const m = /RSS_KB=(\d+)\s*$/.exec(stderr);
      resolve({ code: code ?? 1, stdout, stderr: stderr.replace(/RSS_KB=\d+\s*$/, ""), rssMb: m ? Number(m[1]) / 1024 : Number.NaN });
    }),
  );
}

function ok(r: Measured, what: string, peaks: Record<string, number>): Measured {
  expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(0);
  peaks[what] = Math.round(r.rssMb);
  return r;
}

describe("reliability: a 1,000-layer image (case 43)", () => {
  let a: Arena;
  let reg: TestRegistry;
  let digest: string;
  const peaks: Record<string, number> = {};
  beforeAll(async () => {
    a = arena("layers", { own: ["files", "store2", "store3"] });
    digest = writeLayeredArchive(join(a.own.files as string, "deep.tar"), "deep:1", LAYERS);
    reg = await startRegistry();
  }, 120_000);
  afterAll(async () => {
    await reg?.stop();
    a?.cleanup();
  });

  it("case 43: load, save, load again, push and pull keep their digests, each command within the RSS budget", async () => {
    const files = a.own.files as string;
    const named = (root: string) => (JSON.parse(readFileSync(join(root, "index.json"), "utf8")) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    const archived = (tarPath: string) => (JSON.parse(spawnSync("tar", ["-xOf", tarPath, "index.json"], { encoding: "utf8" }).stdout) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    ok(await measured(a.root, ["load", "-q", "-i", join(files, "deep.tar")]), "load", peaks);
    expect(named(a.root)).toEqual([digest]);
    const inspect = JSON.parse((await measured(a.root, ["inspect", "deep:1"])).stdout) as [{ RootFS: { Layers: string[] } }];
    expect(inspect[0].RootFS.Layers).toHaveLength(LAYERS);
    // save and push send the layers gzipped: one distribution digest for both.
    ok(await measured(a.root, ["save", "-o", join(files, "saved.tar"), "deep:1"]), "save", peaks);
    const [sent] = archived(join(files, "saved.tar"));
    expect(sent).toMatch(/^sha256:[a-f0-9]{64}$/);
    const remote = `${reg.host}/deep/layers`;
    expect(ok(await measured(a.root, ["push", "-q", "deep:1", `${remote}:1`]), "push", peaks).stdout.trim()).toBe(`${remote}:1@${sent}`);
    // Loaded back, the archive is the original image again (layers stored uncompressed).
    const store2 = join(a.own.store2 as string, "s");
    ok(await measured(store2, ["load", "-q", "-i", join(files, "saved.tar")]), "load the saved archive", peaks);
    expect(named(store2)).toEqual([digest]);
    // Pulled and saved: the same digest.
    const store3 = join(a.own.store3 as string, "s");
    expect(ok(await measured(store3, ["pull", `${remote}:1`]), "pull", peaks).stderr).toContain(`Digest: ${sent}`);
    ok(await measured(store3, ["save", "-o", join(files, "pulled.tar"), `${remote}:1`]), "save the pulled image", peaks);
    expect(archived(join(files, "pulled.tar"))).toEqual([sent]);
    // (A second push of 1,000 layers costs 15 s more of HEADs or mounts; specs/registry/ covers re-push.)
    for (const root of [a.root, store2, store3]) expect((await measured(root, ["system", "verify"])).stdout).toBe("store verified: ok\n");
    console.log(`case 43: peak RSS by command, MB: ${JSON.stringify(peaks)}`);
    for (const [what, mb] of Object.entries(peaks)) expect(mb, `${what}: peak RSS ${mb} MB (budget ${RSS_BUDGET_MB} MB)`).toBeLessThan(RSS_BUDGET_MB);
    expectClean(a);
  }, 300_000);

  it("case 43: run exits 2 naming the layer depth before unpacking any layer; a RUN on top is refused while planning", async () => {
    const snapshots = () => (existsSync(join(a.root, "snapshots")) ? readdirSync(join(a.root, "snapshots")).length : 0);
    const before = snapshots();
    const run = await measured(a.root, ["run", "--rm", "deep:1", "true"]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim()).toMatch(/^strata: error\[ENV_LAYER_DEPTH\]: image deep:1 has 1000 layers; one overlay mount here takes at most \d+: squash the image/);
    expect(snapshots(), "run unpacked layers before refusing").toBe(before);
    expect(existsSync(join(a.root, "containers")) ? readdirSync(join(a.root, "containers")).filter((n) => n !== "names") : []).toEqual([]);
    const ctx = join(a.own.files as string, "ctx");
    mkdirSync(ctx);
    writeFileSync(join(ctx, "Dockerfile"), "FROM deep:1\nRUN echo on-top\n");
    const b = await measured(a.root, ["build", "--progress", "plain", ctx]);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toMatch(/error\[PLAN_TOO_MANY_LAYERS\]: stage 0 would have 1001 layers; overlayfs here can mount at most \d+: merge RUNs or squash the base/);
    expect(b.stderr).not.toContain("on-top\n#");
    expect(snapshots()).toBe(before);
    expectClean(a);
  }, 120_000);
});
