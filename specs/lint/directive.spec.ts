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
