import { expect, it } from "vitest";
import { dumpSexp } from "../../compiler/dockerfile/sexp.ts";
import { describeWithShared } from "../helpers/shared-data.ts";
import { caseDirs, parse, readCase } from "./helpers.ts";

describeWithShared("BuildKit parser conformance: testfiles", "conformance/buildkit/testfiles", () => {
  const cases = caseDirs("testfiles");
  it("has the 33 cases", () => expect(cases.length).toBe(33));
  for (const name of cases) {
    it(`${name} dumps byte for byte like BuildKit`, () => {
      const r = parse(readCase("testfiles", name, "Dockerfile"));
      const syntax = r.diagnostics.filter((d) => d.severity === "error" && d.code < "DF020" && d.code !== "DF001");
      expect(syntax).toEqual([]);
      expect(dumpSexp(r.ast)).toBe(readCase("testfiles", name, "result"));
    });
  }
});

describeWithShared("BuildKit parser conformance: testfiles-negative", "conformance/buildkit/testfiles-negative", () => {
  const cases = caseDirs("testfiles-negative");
  it("has the 4 cases", () => expect(cases.length).toBe(4));
  for (const name of cases) {
    it(`${name} is rejected with a diagnostic`, () => {
      const r = parse(readCase("testfiles-negative", name, "Dockerfile"));
      expect(r.diagnostics.some((d) => d.severity === "error" && d.code.startsWith("DF0"))).toBe(true);
    });
  }
});
