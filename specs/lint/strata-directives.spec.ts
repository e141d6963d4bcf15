/**
 * Strata's comment directives in lint: StrataUnknownDirective (a comment that
 * looks like `# strata:…` but is not a known directive), and StrataRunMerge
 * following the merge rule of compiler/passes/merge-runs.ts (adjacency and
 * `# strata:layer` only).
 */
import { describe, expect, it } from "vitest";
import { LAYER_MARK } from "../../compiler/dockerfile/strata-directives.ts";
import { at, findings } from "./helpers.ts";

const UNKNOWN = "StrataUnknownDirective";
const dockerfile = (comment: string): string => `FROM alpine\nRUN echo a\n${comment}\nRUN echo b\n`;

describe("StrataUnknownDirective", () => {
  for (const comment of ["# strata: layer", "# strata:layers", "# STRATA:LAYER", "#strata:layr"]) {
    it(`warns on ${JSON.stringify(comment)} with a did-you-mean, at the comment`, () => {
      const text = dockerfile(comment);
      const found = findings(text, UNKNOWN);
      expect(found).toHaveLength(1);
      const [d] = found;
      expect(d && at(text, d)).toEqual({ where: "3:1", text: comment });
      expect(d?.severity).toBe("warning");
      expect(d?.file).toBe("Dockerfile");
      expect(d?.message).toContain('did you mean "# strata:layer"?');
      expect(d?.message).toContain(JSON.stringify(comment));
    });
  }

  it("points at the `#` of an indented comment and leaves out trailing white space", () => {
    const text = "FROM alpine\nRUN a\n  \t# strata :layer  \nRUN b\n";
    const [d] = findings(text, UNKNOWN);
    expect(d && at(text, d)).toEqual({ where: "3:4", text: "# strata :layer" });
  });

  it("reports every look-alike, on its own line, and none without a close directive names one", () => {
    const text = "FROM alpine\n# strata:layr\nRUN a\n\n# strata: cache\nRUN b\n";
    const found = findings(text, UNKNOWN);
    expect(found.map((d) => at(text, d).where)).toEqual(["2:1", "5:1"]);
    expect(found[0]?.message).toContain('did you mean "# strata:layer"?');
    expect(found[1]?.message).toBe('Comment "# strata: cache" is not a known Strata directive and is ignored');
  });

  it("does not report `# strata:layer` as lowering reads it", () => {
    for (const comment of ["# strata:layer", "#strata:layer", "  # strata:layer", "# strata:layer: keep apt separate"]) {
      expect(LAYER_MARK.test(comment)).toBe(true);
      expect(findings(dockerfile(comment), UNKNOWN)).toEqual([]);
    }
  });

  it("does not report comments that mention strata in prose", () => {
    expect(findings(dockerfile("# built by strata"), UNKNOWN)).toEqual([]);
    expect(findings(dockerfile("# strata merges these"), UNKNOWN)).toEqual([]);
    expect(findings("# syntax=docker/dockerfile:1\n# built by strata\nFROM alpine\n", UNKNOWN)).toEqual([]);
  });

  it("does not look inside heredoc bodies or continuation lines", () => {
    expect(findings("FROM alpine\nRUN <<EOF\n# strata: layer\necho a\nEOF\nRUN echo b\n", UNKNOWN)).toEqual([]);
    expect(findings("FROM alpine\nRUN echo a \\\n  # strata: layer\n  && echo b\n", UNKNOWN)).toEqual([]);
    expect(findings("FROM alpine\nCOPY <<EOF /etc/motd\n#strata:layr\nEOF\n", UNKNOWN)).toEqual([]);
  });

  it("finds look-alikes before the first instruction, after the last, and right after a heredoc", () => {
    const text = "# Strata:Layer\nFROM alpine\nRUN <<EOF\necho a\nEOF\n# strata: layer\nRUN echo b\n# strata:layers";
    expect(findings(text, UNKNOWN).map((d) => at(text, d).where)).toEqual(["1:1", "6:1", "8:1"]);
  });

  it("can be skipped with # check=skip=", () => {
    expect(findings(`# check=skip=StrataUnknownDirective\n${dockerfile("# strata: layer")}`, UNKNOWN)).toEqual([]);
  });
});

describe("StrataRunMerge follows the merge pass", () => {
  const groups = (text: string): string[] => findings(text, "StrataRunMerge").map((d) => d.message);

  it("merges adjacent exec-form and shell-form RUNs", () => {
    expect(groups('FROM alpine\nRUN ["echo", "a"]\nRUN echo b\nRUN ["echo", "c"]\n')).toEqual([
      "3 adjacent RUN instructions (lines 2-4) will be merged into one layer",
    ]);
  });

  it("merges adjacent RUNs with different --network, --security and --mount, and heredoc RUNs", () => {
    expect(groups("FROM alpine\nRUN echo a\nRUN --network=none echo b\nRUN --network=host echo c\n")).toEqual([
      "3 adjacent RUN instructions (lines 2-4) will be merged into one layer",
    ]);
    expect(groups("FROM alpine\nRUN --mount=type=cache,target=/c echo a\nRUN --mount=type=cache,target=/d --security=insecure echo b\n")).toEqual([
      "2 adjacent RUN instructions (lines 2-3) will be merged into one layer",
    ]);
    expect(groups("FROM alpine\nRUN <<EOF\necho a\nEOF\nRUN echo b\n")).toEqual(["2 adjacent RUN instructions (lines 2-5) will be merged into one layer"]);
  });

  it("still splits at a `# strata:layer` line and at an instruction between", () => {
    expect(groups('FROM alpine\nRUN ["echo", "a"]\nRUN --network=none echo b\n# strata:layer\nRUN echo c\nRUN echo d\n')).toEqual([
      "2 adjacent RUN instructions (lines 2-3) will be merged into one layer",
      "2 adjacent RUN instructions (lines 5-6) will be merged into one layer",
    ]);
    expect(groups("FROM alpine\nRUN --network=none echo a\nENV X=1\nRUN --network=none echo b\n")).toEqual([]);
  });

  it("a misspelt layer mark does not split, and is reported", () => {
    const text = "FROM alpine\nRUN echo a\n# strata: layer\nRUN echo b\n";
    expect(groups(text)).toEqual(["2 adjacent RUN instructions (lines 2-4) will be merged into one layer"]);
    expect(findings(text, UNKNOWN)).toHaveLength(1);
  });
});
