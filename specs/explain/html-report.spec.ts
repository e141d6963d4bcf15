/**
 * `strata explain --format html` and `strata build --report`, rendered in headless Chromium: a
 * multi-stage build (a base image stage with a merged RUN group and a COPY, a stage FROM it that
 * mounts it, a scratch stage that copies from that stage and from an image) is built, then one
 * RUN is edited so that its layer (and the ones after it) miss. The page's graph has exactly one
 * node per layer and one edge per dependency, counted by their data attributes against the
 * dependencies this Dockerfile has (written out here, not derived by the code under test);
 * clicking the MISS layer shows why it misses; a `<script>` in a RUN line is text, never run;
 * after a real build the report shows each layer's time and size. Screenshots go to
 * $STRATA_ARTIFACTS (artifacts/).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { expectBuildRefused } from "../helpers/usage.ts";
import { artifactsDir, haveChromium, launch } from "./browser.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) process.stderr.write("specs/explain/html-report.spec.ts: skipped, builds need root (runc, overlayfs)\n");
const runs = isRoot && haveChromium("specs/explain/html-report.spec.ts");

const dockerfile = (tool: string): string =>
  [
    "FROM busybox:latest AS tools",
    "RUN echo one > /one",
    `RUN echo "<script>window.pwned=1</script>" > /two`,
    "COPY big.bin /big.bin",
    "FROM tools AS app",
    `RUN --mount=type=bind,from=tools,target=/t cat /t/one > /app && echo ${tool} >> /app`,
    "FROM scratch",
    "COPY --from=app /app /app",
    "COPY --from=busybox:latest /bin/busybox /busybox",
    "",
  ].join("\n");

/**
 * The layers: #1 the merged RUNs (lines 2-3), #2 COPY big.bin, #3 the app RUN, #4 and #5 the
 * final COPYs. Nodes: 5 layers, 2 bases (FROM busybox, FROM scratch), 1 image read by --from.
 * Edges (one per dependency): base→#1, #1→#2 (next), #2→#3 (FROM tools: its last layer),
 * #2→#3 (the mount of tools), #3→#4 (COPY --from=app), scratch→#4, #4→#5 (next),
 * busybox image→#5 (COPY --from=busybox).
 */
const LAYERS = 5;
const EDGES = [
  ["s0", "l0", "next"],
  ["l0", "l1", "next"],
  ["l1", "l2", "from-stage"],
  ["l1", "l2", "mount-from"],
  ["s2", "l3", "next"],
  ["l3", "l4", "next"],
  ["l2", "l3", "copy-from"],
  ["i0", "l4", "copy-from"],
].sort();

describe.skipIf(!runs)("the html report in Chromium", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("html-report"));
    ctx = tempDir("html-report-ctx");
    writeFileSync(join(ctx, "big.bin"), Buffer.alloc(300_000, 7));
    writeFileSync(join(ctx, "Dockerfile"), dockerfile("v1"));
    const b = strata(root, ["build", "-q", "-t", "report:1", ctx]);
    if (b.code !== 0) throw new Error(`first build failed:\n${b.stderr}`);
    // The edit: the app RUN changes, so it misses, and the two COPYs after it.
    writeFileSync(join(ctx, "Dockerfile"), dockerfile("v2"));
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    cleanup?.();
  });

  it("explain --format html: one node per layer, one edge per dependency; clicking the MISS layer shows its reason", async () => {
    const r = strata(root, ["explain", "--format", "html", ctx]);
    expect(r.code, r.stderr).toBe(0);
    const file = join(ctx, "..", `${ctx.split("/").pop()}-explain.html`);
    writeFileSync(file, r.stdout);
    // Self-contained: nothing is fetched from anywhere.
    expect(r.stdout).not.toMatch(/(src|href)="(https?:)?\/\//);
    const requests: string[] = [];
    page.on("request", (q) => requests.push(q.url()));
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-ready=true]");
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);

    expect(await page.locator('svg [data-kind="layer"]').count()).toBe(LAYERS);
    expect(await page.locator('svg [data-kind="base"]').count()).toBe(2);
    expect(await page.locator('svg [data-kind="image"]').count()).toBe(1);
    const edges = await page.locator("svg [data-edge]").evaluateAll((es) => es.map((e) => [e.getAttribute("data-from"), e.getAttribute("data-to"), e.getAttribute("data-kind")]));
    expect(edges.sort()).toEqual(EDGES);
    // The hits and misses: the tools stage is cached, the edited RUN and what follows miss.
    const caches = await page.locator('svg [data-kind="layer"]').evaluateAll((ns) => ns.map((n) => n.getAttribute("data-cache")));
    expect(caches).toEqual(["hit", "hit", "miss", "miss", "miss"]);
    expect(await page.locator("svg .node.merged").count()).toBe(1);

    const panel = page.locator('[data-panel="l2"]');
    await expect.poll(() => panel.isVisible()).toBe(false);
    await page.click('svg [data-node="l2"]');
    expect(await panel.isVisible()).toBe(true);
    const reason = await panel.locator("[data-reason]").textContent();
    expect(reason).toContain("why a miss: the instruction changed");
    expect(reason).toContain("echo v1");
    expect(reason).toContain("echo v2");
    // Its source line and its key parts.
    expect(await panel.locator(".where").first().textContent()).toBe(`${join(ctx, "Dockerfile")}:6`);
    expect(await panel.locator("table.parts th", { hasText: /^parent$/ }).count()).toBe(1);
    await page.screenshot({ path: join(artifactsDir(), "explain-html-miss.png"), fullPage: true });

    // The <script> of line 3 is text: shown as written, never run.
    await page.click('svg [data-node="l0"]');
    expect(await page.locator('[data-panel="l0"] pre', { hasText: "<script>window.pwned=1</script>" }).count()).toBe(1);
    expect(await page.evaluate("typeof window.pwned")).toBe("undefined");
    expect(await page.locator("script").count()).toBe(1);
  }, 120_000);

  it("build --report FILE.html after a real build: each layer's time and size", async () => {
    const file = join(ctx, "..", `${ctx.split("/").pop()}-report.html`);
    const b = strata(root, ["build", "-q", "-t", "report:2", "--report", file, ctx]);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^<!doctype html>/);
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.locator('svg [data-kind="layer"]').count()).toBe(LAYERS);
    // The report is of this build: what ran misses, the rest hits.
    const caches = await page.locator('svg [data-kind="layer"]').evaluateAll((ns) => ns.map((n) => n.getAttribute("data-cache")));
    expect(caches).toEqual(["hit", "hit", "miss", "miss", "miss"]);
    // COPY big.bin: cached, its layer the 300 000-byte file in a tar.
    await page.click('svg [data-node="l1"]');
    const copy = page.locator('[data-panel="l1"] table.built');
    expect(await copy.locator("tr.time td").textContent()).toBe("cached");
    expect(await copy.locator("tr.size td").textContent()).toMatch(/^30[0-9]\.\d kB$/);
    // The app RUN ran: a time in seconds, and a small layer.
    await page.click('svg [data-node="l2"]');
    const app = page.locator('[data-panel="l2"] table.built');
    expect(await app.locator("tr.time td").textContent()).toMatch(/^\d+\.\d\d s$/);
    expect(await app.locator("tr.size td").textContent()).toMatch(/^\d+(\.\d+)? (B|kB)$/);
    // The busybox COPY: its layer about as big as the binary.
    await page.click('svg [data-node="l4"]');
    expect(await page.locator('[data-panel="l4"] table.built tr.size td').textContent()).toMatch(/ (kB|MB)$/);
    await page.screenshot({ path: join(artifactsDir(), "build-report.png"), fullPage: true });
  }, 300_000);
});

describe("the html report's refusals", () => {
  it("build --report with several platforms is a USAGE error before any work; explain --format html too", () => {
    const untouched = join(tempDir("html-report-refused"), "root");
    expectBuildRefused(untouched, ["--report", "r.html", "--platform", "linux/amd64,linux/arm64"], ".", "--report shows one platform's build");
    const dir = tempDir("html-report-platforms");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nCOPY Dockerfile /\n");
    const r = strata(join(dir, "root"), ["explain", "--offline", "--format", "html", "--platform", "linux/amd64,linux/arm64", dir]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toBe("strata: error[USAGE]: --format html shows one platform's plan: name one --platform\n");
  });
});
