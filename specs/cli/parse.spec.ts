import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";

describe("strata parse", () => {
  const dir = tempDir("parse");
  const good = join(dir, "good.Dockerfile");
  const bad = join(dir, "bad.Dockerfile");
  writeFileSync(good, 'FROM busybox AS base\nCOPY --from=base ["a b", "/c/"]\nRUN echo hi\n');
  writeFileSync(bad, "FROM busybox\nCOPPY a b\n");

  it("prints BuildKit's sexp dump", () => {
    const r = strata(dir, ["parse", "--format", "sexp", good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('(from "busybox" "AS" "base")\n(copy ["--from=base"] "a b" "/c/")\n(run "echo hi")\n');
  });

  it("prints the AST as JSON with spans", () => {
    const r = strata(dir, ["parse", "--format", "json", good]);
    const ast = JSON.parse(r.stdout);
    expect(ast.nodes[1].keyword).toBe("copy");
    expect(ast.nodes[1].span.start).toBe(21);
  });

  it("heads each file's output like head(1) and goes on past a failing file, exit 1", () => {
    const r = strata(dir, ["parse", "--format", "sexp", bad, good]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`==> ${good} <==\n(from "busybox" "AS" "base")`);
    expect(r.stdout + r.stderr).toContain(`==> ${bad} <==`);
    expect(r.stderr).toMatch(/bad\.Dockerfile:2:1: error\[DF\d+\]: .*COPPY/);
    expect(r.stderr).toMatch(/did you mean COPY/i);
  });
});
