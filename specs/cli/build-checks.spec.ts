/**
 * `strata build` runs the build checks as BuildKit does (#17 item 11): the warnings are printed
 * after the build in BuildKit's words ("N warnings found", ` - Rule: message (line N)`), and under
 * `# check=error=true` (or BUILDKIT_DOCKERFILE_CHECK=error=true) the build fails before any step
 * runs, each finding at its own line, then "lint violation found for rules: …". Also the compile
 * errors that must stop a build before it runs, at their own word (#17 items 8, 12).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { context, removeTemps } from "../run/helpers.ts";

const WARNED = "FROM busybox as Build\nMAINTAINER me\nRUN echo the-step-ran\n";

describe("strata build runs the build checks", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("build-checks"));
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });
  const build = (dockerfile: string, ...extra: string[]) => strata(root, ["build", "--progress", "plain", ...extra, context("build-checks", { Dockerfile: dockerfile })]);

  it("prints BuildKit's warnings block after the build, also when the build comes from the cache", () => {
    const block = [
      "3 warnings found (strata check ",
      " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
      " - StageNameCasing: Stage name 'Build' should be lowercase (line 1)",
      " - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)",
    ];
    const ctx = context("build-checks-warm", { Dockerfile: WARNED });
    for (const run of ["cold", "warm"]) {
      const r = strata(root, ["build", "--progress", "plain", ctx]);
      expect(r.code, `${run}: ${r.stderr}`).toBe(0);
      const at = r.stderr.indexOf(block[0] as string);
      expect(at, r.stderr).toBeGreaterThan(r.stderr.indexOf("writing image"));
      const lines = r.stderr.slice(at).split("\n");
      expect(lines.slice(1, 4)).toEqual(block.slice(1));
    }
  });

  it("says nothing when the checks are skipped, or in quiet mode", () => {
    const skipped = build(`# check=skip=all\n${WARNED}`);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).not.toContain("found (strata check");
    const quiet = build(WARNED, "-q");
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
  });

  it("fails under # check=error=true before any step runs, each finding at its line", () => {
    const r = build(`# check=error=true\n${WARNED}`);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^#\d+ /m); // no step started, not even FROM
    expect(r.stderr).toMatch(/Dockerfile:2:14: error\[FromAsCasing\]: 'as' and 'FROM' keywords' casing do not match\n {2}1 \| # check=error=true\n> 2 \| FROM busybox as Build/);
    expect(r.stderr).toContain("Dockerfile:3:1: error[MaintainerDeprecated]: Maintainer instruction is deprecated in favor of using label");
    expect(r.stderr).toContain("lint violation found for rules: FromAsCasing, MaintainerDeprecated, StageNameCasing");
  });

  it("fails the same with --build-arg BUILDKIT_DOCKERFILE_CHECK=error=true, and builds with error=false", () => {
    const r = build(WARNED, "--build-arg", "BUILDKIT_DOCKERFILE_CHECK=error=true");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("lint violation found for rules: FromAsCasing, MaintainerDeprecated, StageNameCasing");
    const off = build(`# check=error=false\n${WARNED}`);
    expect(off.code, off.stderr).toBe(0);
  });

  it("blames an empty ARG in FROM on the FROM line, with a hint, with and without error=true", () => {
    const plain = build("ARG BASE\nFROM $BASE\nRUN true\n");
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/Dockerfile:2:6: error\[LW007\]: base name \(\$BASE\) should not be blank\n {2}1 \| ARG BASE\n> 2 \| FROM \$BASE\n/);
    expect(plain.stderr).toContain("hint: give the ARG a default, or pass it with --build-arg");
    const strict = build("# check=error=true\nARG BASE\nFROM $BASE\nRUN true\n");
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/Dockerfile:3:6: error\[InvalidDefaultArgInFrom\]: Default value for ARG \$BASE results in empty or invalid base image name\n {2}2 \| ARG BASE\n> 3 \| FROM \$BASE\n/);
    expect(strict.stderr).toContain("hint: give the ARG a default that makes a valid image reference");
    expect(strict.stderr).not.toMatch(/:1:\d+: error/);
  });

  it("refuses EXPOSE abc, EXPOSE 99999 and STOPSIGNAL SIGFOO before any step runs (BuildKit fails the build)", () => {
    const r = build("FROM busybox\nRUN echo the-step-ran\nEXPOSE 80 abc\nEXPOSE 99999/udp\nSTOPSIGNAL SIGFOO\n");
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^#\d+ /m);
    expect(r.stderr).toContain("Dockerfile:3:11: error[LW008]: invalid containerPort: abc");
    expect(r.stderr).toContain("Dockerfile:4:8: error[LW008]: invalid containerPort: 99999");
    expect(r.stderr).toContain("Dockerfile:5:12: error[LW009]: invalid signal: SIGFOO");
  });

  it("blames a missing COPY --from image on its own line, and an ONBUILD trigger's on the FROM that runs it", () => {
    const missing = "localhost:1/invalid:1"; // nothing listens on port 1: refused at once, no network
    const own = build(`FROM busybox\nRUN true\nCOPY --from=${missing} /a /b\n`);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain(`Dockerfile:3:1: error[IMG001]: image "${missing}" is not in the local store and could not be pulled`);
    const base = build(`FROM busybox\nONBUILD COPY --from=${missing} /a /b\n`, "-t", "checks-onbuild:1");
    expect(base.code, base.stderr).toBe(0);
    const child = build("# the base runs a trigger\nFROM checks-onbuild:1\nRUN true\n");
    expect(child.code).toBe(1);
    expect(child.stderr).toContain(`Dockerfile:2:1: error[IMG001]: image "${missing}" (named by the base's ONBUILD COPY --from=${missing} /a /b of checks-onbuild:1) is not in the local store`);
    expect(child.stderr).toContain("> 2 | FROM checks-onbuild:1");
    expect(child.stderr).not.toContain("internal:");
  });
});
