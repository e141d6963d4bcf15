/**
 * `strata layers IMAGE` on images built here with runc (own store, own contexts): a 5 MB file
 * COPYed and deleted by a later RUN is reported as 5 MB wasted (exact bytes), named, attributed to
 * the layer that added it and the one that deleted it, in the text and in the JSON (parsed with the
 * command's own zod schema); the CI gate exits 1 listing the file past a limit and 0 under one, a
 * bad limit is a USAGE error (exit 2); a file overwritten by a later layer is wasted too, a
 * directory COPY then `rm -rf` counts every file; an image without waste scores efficiency 1; a
 * pulled image, whose layers the store keeps gzip-compressed, gives the same answer; the HTML view
 * is one self-contained page that Chromium renders with the file tree in it; and the analysis the
 * build warning will use (`wasteOfDiffIds`) agrees with the command; `-i` refuses to run without a
 * terminal and, on one (script(1)'s pty), draws the layers and the tree and follows the arrow keys.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseByteSize } from "../../runtime/cli/layers/flags.ts";
import { LayersJson } from "../../runtime/cli/layers/json.ts";
import { wasteOfDiffIds } from "../../runtime/image/waste/analyze.ts";
import { Store } from "../../runtime/store/store.ts";
import { startRegistry, type TestRegistry } from "../registry/helpers.ts";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";


let root: string;
let cleanup: () => void;
let ctxRoot: string;

function build(name: string, dockerfile: string, files: Record<string, Buffer | string>): void {
  const dir = join(ctxRoot, name);
  for (const [f, c] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), c);
  }
  writeFileSync(join(dir, "Dockerfile"), dockerfile);
  const r = strata(root, ["build", "-t", `${name}:t`, dir]);
  expect(r.stderr).not.toMatch(/error/);
  expect(r.code).toBe(0);
}

function json(args: readonly string[], r0 = root): LayersJson {
  const r = strata(r0, ["layers", "--format", "json", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return LayersJson.parse(JSON.parse(r.stdout));
}

const BIG = 5_000_000;

beforeAll(() => {
  ({ root, cleanup } = storeWithBusybox("layers"));
  ctxRoot = tempDir("layers-ctx");
  build("waste", "FROM busybox\nCOPY big.bin /big.bin\nRUN rm /big.bin\n", { "big.bin": randomBytes(BIG) });
  build("overwrite", "FROM busybox\nCOPY v1/data.bin /data.bin\nCOPY v2/data.bin /data.bin\n", { "v1/data.bin": randomBytes(300_000), "v2/data.bin": randomBytes(200_000) });
  build("tree", "FROM busybox\nCOPY tree /tree\nRUN rm -rf /tree\n", { "tree/a": randomBytes(1000), "tree/sub/b": randomBytes(2000), "tree/sub/deeper/c": randomBytes(3000) });
  build("clean", "FROM busybox\nCOPY a.txt /a.txt\nRUN mkdir /made && echo hi > /made/file\n", { "a.txt": "a\n" });
}, 180_000);

afterAll(() => {
  cleanup?.();
  if (ctxRoot) rmSync(ctxRoot, { recursive: true, force: true });
});

describe("strata layers", () => {
  it("reports a COPYed 5 MB file a later RUN deletes as 5 MB wasted, naming it and both layers", () => {
    const r = strata(root, ["layers", "waste:t"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^LAYER\s+SIZE\s+ADDED\s+CHANGED\s+REMOVED\s+WASTED\s+CREATED BY$/m);
    expect(r.stdout).toMatch(/^1\s+5MB\s+1\s+0\s+0\s+5MB\s+COPY big\.bin \/big\.bin/m);
    expect(r.stdout).toMatch(/^2\s+0B\s+0\s+0\s+1\s+0B\s+RUN \/bin\/sh -c rm \/big\.bin/m);
    expect(r.stdout).toContain(`Wasted:           5MB (${BIG} bytes`);
    expect(r.stdout).toMatch(/5MB\s+5000000\s+\/big\.bin\s+added by layer 1 \(COPY big\.bin \/big\.bin.*\), deleted by layer 2 \(RUN /);

    const j = json(["waste:t"]);
    expect(j.wastedBytes).toBe(BIG);
    expect(j.wastedFiles).toEqual([{ path: "/big.bin", size: BIG, addedBy: 1, removedBy: 2, how: "deleted" }]);
    expect(j.layers.map((l) => l.wastedBytes)).toEqual([0, BIG, 0]);
    expect(j.layers[2]?.removed).toBe(1);
    // dive's score: the busybox files once each, the big file's bytes in the denominator only.
    const base = j.layers[0]?.size as number;
    expect(j.efficiency).toBeCloseTo(base / (base + BIG), 10);
    expect(j.wastedUserRatio).toBe(1);
  });

  it("the gate: --fail-wasted-bytes 1MB exits 1 listing the file, a high limit exits 0, a bad limit is USAGE", () => {
    const fail = strata(root, ["layers", "--fail-wasted-bytes", "1MB", "waste:t"]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain(`FAIL: wasted-bytes: ${BIG} bytes wasted > limit 1000000`);
    expect(fail.stdout).toMatch(/Offending files:\n\s+5MB\s+5000000\s+\/big\.bin\s+added by layer 1 .*deleted by layer 2/);
    expect(fail.stdout).toContain("Result: FAIL [rules: 1] [passed: 0] [failed: 1]");
    expect(fail.stderr).toMatch(/^strata: error\[LAYERS_GATE\]: waste:t: wasted-bytes \(5000000 bytes wasted > limit 1000000\); 1 wasted file listed above\n$/);

    const pass = strata(root, ["layers", "--fail-wasted-bytes", "5MiB", "--fail-wasted-percent", "1", "waste:t"]);
    expect(pass.stderr).toBe("");
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain(`PASS: wasted-bytes: ${BIG} bytes wasted <= limit 5242880`);
    expect(pass.stdout).toContain("Result: PASS [rules: 2] [passed: 2] [failed: 0]");

    const eff = strata(root, ["layers", "--format", "json", "--fail-efficiency", "0.95", "waste:t"]);
    expect(eff.code).toBe(1);
    const gate = LayersJson.parse(JSON.parse(eff.stdout)).gate;
    expect(gate?.pass).toBe(false);
    expect(gate?.rules[0]).toMatchObject({ rule: "efficiency", limit: 0.95, pass: false });

    for (const [flag, bad] of [["--fail-wasted-bytes", "20XB"], ["--fail-wasted-bytes", "-1"], ["--fail-wasted-bytes", "MB"], ["--fail-efficiency", "1.5"], ["--fail-wasted-percent", "ten"]] as const) {
      const r = strata(root, ["layers", flag, bad, "waste:t"]);
      expect(r.code, `${flag} ${bad}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^strata: error\\[USAGE\\]: ${flag} ${bad}: not a `));
    }
  });

  it("sizes are read as dive reads them: MB decimal, MiB binary, a bare number bytes", () => {
    const p = parseByteSize("--x");
    expect([p("20MB"), p("5MiB"), p("1000"), p("1.5GB"), p("2 kb"), p("3KiB"), p("7b")]).toEqual([20_000_000, 5_242_880, 1000, 1_500_000_000, 2000, 3072, 7]);
    for (const bad of ["", "MB", "5XB", "5 M B", "1e3", "0x10", "5MiBs"]) expect(() => p(bad), bad).toThrow(/not a size/);
  });

  it("a file a later layer overwrites is wasted (replaced), the layer counting it as changed", () => {
    const j = json(["overwrite:t"]);
    expect(j.wastedBytes).toBe(300_000);
    expect(j.wastedFiles).toEqual([{ path: "/data.bin", size: 300_000, addedBy: 1, removedBy: 2, how: "replaced" }]);
    expect(j.layers[2]).toMatchObject({ added: 0, changed: 1, removed: 0, wastedBytes: 0, size: 200_000 });
    expect(j.biggestFiles).toContainEqual({ path: "/data.bin", size: 200_000, layer: 2 });
  });

  it("a directory COPY then rm -rf of it counts every file", () => {
    const j = json(["tree:t"]);
    expect(j.wastedBytes).toBe(6000);
    expect(j.wastedFiles.map((w) => [w.path, w.size, w.addedBy, w.removedBy, w.how])).toEqual([
      ["/tree/sub/deeper/c", 3000, 1, 2, "deleted"],
      ["/tree/sub/b", 2000, 1, 2, "deleted"],
      ["/tree/a", 1000, 1, 2, "deleted"],
    ]);
    expect(j.layers[2]?.removed).toBe(3);
    expect(j.efficiency).toBeLessThan(1);
  });

  it("an image without waste has efficiency 1 and passes --fail-efficiency 1", () => {
    const j = json(["clean:t"]);
    expect(j.wastedBytes).toBe(0);
    expect(j.wastedFiles).toEqual([]);
    expect(j.efficiency).toBe(1);
    const r = strata(root, ["layers", "--fail-efficiency", "1", "--fail-wasted-bytes", "0", "clean:t"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Wasted files:\n  none");
    expect(r.stdout).toContain("Efficiency:       100.0 % (score 1)");
  });

  it("the analysis of a list of diffIDs (for the build's warning) agrees with the command", async () => {
    const store = new Store(root);
    const img = await store.getImage("tree:t");
    const w = await wasteOfDiffIds(store, img.config.rootfs.diff_ids);
    expect(w).toEqual(json(["tree:t"]).wastedFiles);
  });

  it("the HTML view: one self-contained page with the files, which Chromium renders as a tree", () => {
    const page = strata(root, ["layers", "--format", "html", "waste:t"]);
    expect(page.code).toBe(0);
    expect(page.stdout.startsWith("<!doctype html>\n<html lang=\"en\">")).toBe(true);
    expect(page.stdout.trimEnd().endsWith("</html>")).toBe(true);
    expect(page.stdout).toContain('"/big.bin"');
    // No network: nothing loaded from anywhere.
    expect(page.stdout).not.toMatch(/\b(src|href)=|@import|url\(/);
    const file = join(ctxRoot, "waste.html");
    const both = strata(root, ["layers", "--html", file, "waste:t"]);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/^LAYER/);
    expect(readFileSync(file, "utf8")).toBe(page.stdout);

    const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
    if (chromium === undefined) {
      if (process.env.CI) throw new Error("chromium is not installed (scripts/test.sh installs it)");
      process.stderr.write("notice: no chromium: skipping the rendering check of the layers page\n");
      return;
    }
    const dom = spawnSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", `file://${file}`], { encoding: "utf8", timeout: 60_000 });
    expect(dom.status).toBe(0);
    // The script ran: the last layer is selected, its tree drawn, the deleted file marked D.
    expect(dom.stdout).toMatch(/<li data-index="2" class="selected">/);
    expect(dom.stdout).toMatch(/<div class="node D" role="treeitem" data-path="\/big.bin">/);
    expect(dom.stdout).toMatch(/data-path="\/bin"/);
    expect(dom.stdout).toMatch(/<td>\/big\.bin<\/td>/);
  }, 90_000);
});

/** Runs `strata layers -i` on a pty (script(1)), typing `keys` one by one after it has drawn; what it wrote. */
async function onTerminal(ref: string, keys: readonly string[]): Promise<{ code: number; screen: string }> {
  const cmd = `stty cols 120 rows 30; exec ${process.execPath} -- ${join(repoRoot, "bin/strata.js")} --root ${root} layers -i ${ref}`;
  const child = spawn("script", ["-qfec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  const done = new Promise<number>((r) => child.on("close", (code) => r(code ?? 1)));
  const until = async (re: RegExp) => {
    for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await until(/Files as of layer/);
  for (const k of keys) {
    const before = out.length;
    child.stdin.write(k);
    for (let i = 0; i < 100 && out.length === before; i++) await new Promise((r) => setTimeout(r, 20));
  }
  child.stdin.write("q");
  const code = await done;
  return { code, screen: stripVTControlCharacters(out) };
}

describe("strata layers -i", () => {
  it("refuses to run without a terminal (USAGE, exit 2)", () => {
    const r = strata(root, ["layers", "-i", "waste:t"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("strata: error[USAGE]: layers -i: needs a terminal on standard input and output (run without -i for the text report)\n");
  });

  it("on a terminal: the layers, the last one's tree with its removal marked, ↑/↓ to change layer, space for only its changes", async () => {
    const { code, screen } = await onTerminal("tree:t", ["\x1b[A", "\x1b[B", "\t", " "]);
    expect(code).toBe(0);
    expect(screen).toMatch(/#1 6kB wasted 6kB\s+COPY tree \/tree/);
    // First the last layer: the removed directory, marked D, with its 6000 bytes, closed.
    expect(screen).toContain("Files as of layer 2  ");
    expect(screen).toMatch(/D\s+6kB\s+▸ tree\//);
    // ↑: the layer that added it, the directory marked A.
    expect(screen).toContain("Files as of layer 1");
    expect(screen).toMatch(/A\s+6kB\s+▸ tree\//);
    // ↓, Tab, space: back on layer 2, only its changes, every directory open, each file removed.
    expect(screen).toContain("Files as of layer 2 (only its changes)");
    expect(screen).toMatch(/D\s+6kB\s+▾ tree\//);
    expect(screen).toMatch(/D\s+1kB\s+a /);
    expect(screen).toMatch(/D\s+3kB\s+c /);
    expect(screen).toMatch(/efficiency [\d.]+ %\s+wasted 6kB/);
  }, 60_000);
});

describe("strata layers on a pulled image (its layers kept gzip-compressed)", () => {
  let reg: TestRegistry;
  let other: string;
  beforeAll(async () => {
    reg = await startRegistry();
    other = tempDir("layers-pulled");
    expect(strata(root, ["tag", "waste:t", `${reg.host}/layers-waste:1`]).code).toBe(0);
    expect(strata(root, ["push", `${reg.host}/layers-waste:1`]).code).toBe(0);
    expect(strata(other, ["pull", `${reg.host}/layers-waste:1`]).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await reg?.stop();
    if (other) rmSync(other, { recursive: true, force: true });
  });

  it("reads the compressed blobs and gives the built image's answer", async () => {
    const store = new Store(other);
    const img = await store.getImage(`${reg.host}/layers-waste:1`);
    expect(img.manifest.layers.map((l) => l.mediaType)).toEqual(Array(3).fill("application/vnd.oci.image.layer.v1.tar+gzip"));
    // Only the compressed blobs are there: no uncompressed layer to read instead.
    for (const d of img.config.rootfs.diff_ids) expect(await store.content.has(d)).toBe(false);
    const pulled = json([`${reg.host}/layers-waste:1`], other);
    const built = json(["waste:t"]);
    expect(pulled.wastedFiles).toEqual(built.wastedFiles);
    expect(pulled.layers.map(({ digest: _, ...l }) => l)).toEqual(built.layers.map(({ digest: _, ...l }) => l));
    expect(pulled.efficiency).toBe(built.efficiency);
  });
});
