/**
 * `strata explain --format dot`, rendered by Graphviz (`dot -Tsvg`): a multi-stage plan (scratch
 * stages, so nothing is looked up) with a merged RUN pair, a stage FROM another, a RUN mount of a
 * stage and a COPY --from. The SVG has exactly the edges this Dockerfile's dependencies make
 * (FROM <stage> from the other stage's last layer, not its FROM box), the legend cluster, each
 * label line as its own `<text>` (no literal `\l`; a `\n` written in a RUN stays text), and the
 * miss reasons as tooltips. The multi-platform picture renders too.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";

const haveDot = spawnSync("dot", ["-V"]).status === 0;
if (!haveDot && process.env.CI) throw new Error("specs/explain/dot.spec.ts: graphviz's dot is missing (CI is set: scripts/test.sh installs graphviz)");
if (!haveDot) process.stderr.write("specs/explain/dot.spec.ts: skipped, graphviz's dot is not installed (apt-get install graphviz)\n");

const DOCKERFILE = [
  "FROM scratch AS a",
  "COPY a.txt /a",
  "COPY b.txt /b",
  "FROM a AS b",
  "RUN echo 1",
  "RUN printf 'x\\ny' > /p",
  "COPY c.txt /c",
  "RUN --mount=type=bind,from=a,target=/m cat /m/a",
  "FROM scratch",
  "COPY --from=b /c /c",
  "",
].join("\n");

/** l0 COPY a, l1 COPY b | l2 the merged RUNs (5, 6), l3 COPY c, l4 the mount RUN | l5 COPY --from=b. */
const EDGES = ["s0->l0", "l0->l1", "l1->l2", "l2->l3", "l3->l4", "l1->l4", "s2->l5", "l4->l5"].sort();

function svgOf(dotText: string): string {
  const r = spawnSync("dot", ["-Tsvg"], { input: dotText, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The SVG group of one node or cluster, by its <title>. */
function group(svg: string, title: string): string {
  const at = svg.indexOf(`<title>${title}</title>`);
  expect(at, title).toBeGreaterThan(-1);
  return svg.slice(at, svg.indexOf("</g>\n</g>", at));
}

describe.skipIf(!haveDot)("explain --format dot through graphviz", () => {
  let dir: string;
  let ctx: string;
  let dot: string;
  let svg: string;
  beforeAll(() => {
    dir = tempDir("explain-dot");
    ctx = join(dir, "ctx");
    mkdirSync(ctx);
    for (const f of ["a", "b", "c"]) writeFileSync(join(ctx, `${f}.txt`), f);
    writeFileSync(join(ctx, "Dockerfile"), DOCKERFILE);
    const r = strata(join(dir, "root"), ["explain", "--offline", "--format", "dot", ctx]);
    expect(r.code, r.stderr).toBe(0);
    dot = r.stdout;
    svg = svgOf(dot);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has one edge per dependency: FROM <stage> from its last layer, the mount, the COPY --from", () => {
    const edges = [...svg.matchAll(/<g id="edge\d+" class="edge">\n<title>([^<]*)<\/title>/g)].map((m) => (m[1] as string).replace("&#45;&gt;", "->"));
    expect(edges.sort()).toEqual(EDGES);
    expect(dot).toContain('l1 -> l2 [style=bold, label="FROM"];');
    expect(dot).toContain("l1 -> l4 [style=dotted");
    expect(dot).toContain("l4 -> l5 [style=dashed");
  });

  it("has the legend: HIT, MISS, unknown and merged", () => {
    const legend = group(svg, "cluster_legend");
    expect(legend).toContain("legend");
    for (const t of ["HIT (from the cache)", "MISS (runs)", "unknown (base not looked up)", "merged RUNs (one layer)"]) expect(svg).toContain(`>${t}</text>`);
  });

  it("draws each label line as its own <text>, with no literal \\l; a \\n in a RUN stays text", () => {
    expect(svg).not.toContain("\\l");
    const merged = group(svg, "l2");
    const lines = [...merged.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => (m[1] as string).replace(/&#160;/g, " ").replace(/&#39;/g, "'").replace(/&gt;/g, ">"));
    expect(lines).toEqual(["5: RUN echo 1  MISS", "6: RUN printf 'x\\ny' > /p  MISS", "merged: 0 of 2 RUNs cached, 2 run"]);
    // The merged layer's blue border, as the legend's.
    expect(merged).toContain('stroke="blue"');
  });

  it("gives each missed layer its reason as a tooltip", () => {
    expect(group(svg, "l0")).toContain('xlink:title="why a miss: not built before: no earlier build of this target has this layer"');
    expect(group(svg, "l2")).toContain('xlink:title="why a miss: line 5: not built before');
  });

  it("keeps the multi-platform picture: a cluster per platform, each plan's edges, one legend", () => {
    const r = strata(join(dir, "root"), ["explain", "--offline", "--platform", "linux/amd64,linux/arm64", "--format", "dot", ctx]);
    expect(r.code, r.stderr).toBe(0);
    const multi = svgOf(r.stdout);
    for (const p of ["p0_", "p1_"]) {
      const edges = [...multi.matchAll(/<g id="edge\d+" class="edge">\n<title>([^<]*)<\/title>/g)].map((m) => (m[1] as string).replace("&#45;&gt;", "->")).filter((e) => e.startsWith(p));
      expect(edges.map((e) => e.replaceAll(p, "")).sort()).toEqual(EDGES);
    }
    expect(multi.match(/<title>cluster_legend<\/title>/g)).toHaveLength(1);
  });
});
