/** The `# check=skip=…;error=…` directive, and BUILDKIT_DOCKERFILE_CHECK overriding it. */
import { describe, expect, it } from "vitest";
import { lint } from "./helpers.ts";

const BAD = "FROM alpine as Builder\nMAINTAINER me\n";
const codes = (text: string, buildArgs?: Record<string, string>): string[] => lint(text, { buildArgs }).diagnostics.map((d) => d.code);

describe("# check directive", () => {
  it("reports everything without a directive, warnings not failing", () => {
    const r = lint(BAD);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["FromAsCasing", "StageNameCasing", "MaintainerDeprecated"]);
    expect(r.errorOnWarnings).toBe(false);
  });

  it("skip= drops the listed rules", () => {
    expect(codes(`# check=skip=StageNameCasing,FromAsCasing\n${BAD}`)).toEqual(["MaintainerDeprecated"]);
  });

  it("skip= compares rule names case-insensitively and ignores spaces", () => {
    expect(codes(`# check=skip= stagenamecasing , FROMASCASING\n${BAD}`)).toEqual(["MaintainerDeprecated"]);
  });

  it("skip=all drops every rule", () => {
    expect(codes(`# check=skip=all\n${BAD}`)).toEqual([]);
  });

  it("error=true makes warnings fail the check", () => {
    const r = lint(`# check=error=true\n${BAD}`);
    expect(r.errorOnWarnings).toBe(true);
    expect(r.diagnostics).toHaveLength(3);
  });

  it("skip and error combine", () => {
    const r = lint(`# check=skip=MaintainerDeprecated;error=true\n${BAD}`);
    expect(r.errorOnWarnings).toBe(true);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["FromAsCasing", "StageNameCasing"]);
  });

  it("is honoured among other directives", () => {
    expect(codes(`# syntax=docker/dockerfile:1\n# check=skip=all\n${BAD}`)).toEqual([]);
  });

  it("is not a directive after the first instruction", () => {
    expect(codes(`${BAD}# check=skip=all\n`)).toHaveLength(3);
  });

  it("accepts BuildKit's experimental= option and Go booleans for error= (not malformed)", () => {
    const all = lint(`# check=skip=all;experimental=all\n${BAD}`);
    expect(all.parseDiagnostics).toEqual([]);
    expect(all.diagnostics).toEqual([]);
    const one = lint(`# check=error=1\n${BAD}`);
    expect(one.parseDiagnostics).toEqual([]);
    expect(one.errorOnWarnings).toBe(true);
    for (const [v, on] of [["TRUE", true], ["t", true], ["False", false], ["0", false]] as const) {
      const r = lint(`# check=error=${v}\n${BAD}`);
      expect(r.parseDiagnostics).toEqual([]);
      expect(r.errorOnWarnings).toBe(on);
    }
    const three = lint(`# check=experimental=all; skip=MaintainerDeprecated ;error=true\n${BAD}`);
    expect(three.parseDiagnostics).toEqual([]);
    expect(three.errorOnWarnings).toBe(true);
    expect(three.diagnostics.map((d) => d.code)).toEqual(["FromAsCasing", "StageNameCasing"]);
  });

  it("says why a directive is malformed, in BuildKit's words", () => {
    const why = (v: string) => lint(`# check=${v}\n${BAD}`).parseDiagnostics.map((d) => d.message);
    expect(why("error=yes")).toEqual(['malformed check directive "error=yes": failed to parse check option "error=yes": "yes" is not a boolean']);
    expect(why("skip=all;bogus=1")).toEqual(['malformed check directive "skip=all;bogus=1": invalid check option "bogus"']);
    expect(why("skip=all;")).toEqual(['malformed check directive "skip=all;": invalid check option ""']);
  });

  it("a malformed directive is a parse warning and checks run with defaults", () => {
    const r = lint(`# check=skip\n${BAD}`);
    expect(r.parseDiagnostics.map((d) => d.code)).toEqual(["DF012"]);
    expect(r.diagnostics).toHaveLength(3);
    expect(r.errorOnWarnings).toBe(false);
  });

  it("BUILDKIT_DOCKERFILE_CHECK overrides the directive", () => {
    expect(codes(`# check=skip=all\n${BAD}`, { BUILDKIT_DOCKERFILE_CHECK: "skip=MaintainerDeprecated" })).toEqual(["FromAsCasing", "StageNameCasing"]);
    const r = lint(BAD, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: "error=true" } });
    expect(r.errorOnWarnings).toBe(true);
  });
});
