/**
 * `strata check`: in process through runCheck, and end to end through
 * `node bin/strata.js check` (which needs registerCheck wired into
 * runtime/cli/main.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type JsonDiagnostic, runCheck } from "../../runtime/cli/commands/check.ts";

const BIN = join(import.meta.dirname, "../../bin/strata.js");

/** Three errors on three lines: an unknown instruction, a bad mount type, EXPOSE with no port. */
const THREE_ERRORS = "FROM alpine\nCOPPY a b\nRUN --mount=type=bogus echo hi\nEXPOSE\n";
const CLEAN = 'FROM alpine\nCOPY app /app\nCMD ["/app"]\n';
const WARNS = "FROM alpine as Builder\n";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-check-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inProcess(files: string[], format: "text" | "json" = "text", buildArgs?: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const code = await runCheck(files, { format, buildArgs }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

function strata(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectThreeErrors(stdout: string): void {
  expect(stdout).toContain("Dockerfile:2:1: error[DF001]: unknown instruction: COPPY");
  expect(stdout).toContain("> 2 | COPPY a b\n    | ^^^^^");
  expect(stdout).toMatch(/Dockerfile:3:13: error\[DF029\]: .*bogus/);
  expect(stdout).toContain("> 3 | RUN --mount=type=bogus echo hi\n    |             ^^^^^^^^^^");
  expect(stdout).toContain("Dockerfile:4:1: error[DF023]: EXPOSE requires at least one argument");
  expect(stdout).toContain("> 4 | EXPOSE\n    | ^^^^^^");
  expect(stdout).toContain("Dockerfile: 3 errors, 0 warnings");
  // In source order.
  expect(stdout.indexOf("Dockerfile:2:1")).toBeLessThan(stdout.indexOf("Dockerfile:3:13"));
  expect(stdout.indexOf("Dockerfile:3:13")).toBeLessThan(stdout.indexOf("Dockerfile:4:1"));
}

describe("strata check (in process)", () => {
  it("reports three errors on three lines with line:column and a code frame, and fails", async () => {
    await writeFile(join(dir, "Dockerfile"), THREE_ERRORS);
    const r = await inProcess([]);
    expect(r.code).toBe(1);
    expectThreeErrors(r.stdout);
  });

  it("passes a clean file", async () => {
    await writeFile(join(dir, "Dockerfile"), CLEAN);
    const r = await inProcess(["Dockerfile"]);
    expect(r).toEqual({ code: 0, stdout: "Dockerfile: 0 errors, 0 warnings\n", stderr: "" });
  });

  it("passes with warnings, and fails on them under # check=error=true or BUILDKIT_DOCKERFILE_CHECK", async () => {
    await writeFile(join(dir, "Dockerfile"), WARNS);
    await writeFile(join(dir, "strict.Dockerfile"), `# check=error=true\n${WARNS}`);
    const lenient = await inProcess(["Dockerfile"]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain("warning[StageNameCasing]: Stage name 'Builder' should be lowercase");
    expect(lenient.stdout).toContain("see https://docs.docker.com/go/dockerfile/rule/stage-name-casing/");
    expect((await inProcess(["strict.Dockerfile"])).code).toBe(1);
    expect((await inProcess(["Dockerfile"], "text", { BUILDKIT_DOCKERFILE_CHECK: "error=true" })).code).toBe(1);
  });

  it("prints JSON diagnostics with positions, hints and URLs", async () => {
    await writeFile(join(dir, "Dockerfile"), `${WARNS}COPPY a b\n`);
    const r = await inProcess(["Dockerfile"], "json");
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as JsonDiagnostic[];
    expect(out.map((d) => d.code)).toEqual(["FromAsCasing", "StageNameCasing", "DF001"]);
    expect(out[1]).toEqual({
      file: "Dockerfile",
      code: "StageNameCasing",
      severity: "warning",
      message: "Stage name 'Builder' should be lowercase",
      line: 1,
      column: 16,
      endLine: 1,
      endColumn: 23,
      url: "https://docs.docker.com/go/dockerfile/rule/stage-name-casing/",
    });
    expect(out[2]).toMatchObject({ code: "DF001", severity: "error", line: 2, column: 1, hint: "did you mean COPY?" });
  });

  it("reads the .dockerignore beside the Dockerfile", async () => {
    await writeFile(join(dir, "Dockerfile"), "FROM alpine\nCOPY .env /app/\n");
    await writeFile(join(dir, ".dockerignore"), ".env\n");
    const r = await inProcess(["Dockerfile"]);
    expect(r.stdout).toContain('Dockerfile:2:6: warning[CopyIgnoredFile]: Attempting to Copy file ".env" that is excluded by .dockerignore');
    await writeFile(join(dir, "Dockerfile.dockerignore"), "*.log\n");
    expect((await inProcess(["Dockerfile"])).stdout).not.toContain("CopyIgnoredFile");
  });

  it("reports the empty continuation line once, as the NoEmptyContinuation rule", async () => {
    await writeFile(join(dir, "Dockerfile"), "FROM alpine\nRUN echo a \\\n\n  && echo b\n");
    const r = await inProcess(["Dockerfile"]);
    expect(r.stdout).toContain("Dockerfile:3:1: warning[NoEmptyContinuation]: Empty continuation line");
    expect(r.stdout).not.toContain("DF010");
  });

  it("fails on a missing file and still checks the others", async () => {
    await writeFile(join(dir, "Dockerfile"), CLEAN);
    const r = await inProcess(["missing.Dockerfile", "Dockerfile"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot read missing.Dockerfile");
    expect(r.stdout).toContain("Dockerfile: 0 errors, 0 warnings");
  });
});

describe("strata check (node bin/strata.js)", () => {
  it("reports three errors on three lines with line:column and a code frame, and exits 1", async () => {
    await writeFile(join(dir, "Dockerfile"), THREE_ERRORS);
    const r = strata("check");
    expect(r.code).toBe(1);
    expectThreeErrors(r.stdout);
  });

  it("exits 0 on a clean file given with -f", async () => {
    await writeFile(join(dir, "app.Dockerfile"), CLEAN);
    const r = strata("check", "-f", "app.Dockerfile");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("app.Dockerfile: 0 errors, 0 warnings\n");
  });

  it("checks several files and prints JSON", async () => {
    await writeFile(join(dir, "a.Dockerfile"), WARNS);
    await writeFile(join(dir, "b.Dockerfile"), "# check=error=true\nFROM alpine\nMAINTAINER me\n");
    const r = strata("check", "--format", "json", "a.Dockerfile", "b.Dockerfile");
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as JsonDiagnostic[];
    expect(out.map((d) => `${d.file}:${d.line}:${d.column}:${d.code}`)).toEqual([
      "a.Dockerfile:1:13:FromAsCasing",
      "a.Dockerfile:1:16:StageNameCasing",
      "b.Dockerfile:3:1:MaintainerDeprecated",
    ]);
  });

  it("rejects an unknown --format as a usage error", async () => {
    await writeFile(join(dir, "Dockerfile"), CLEAN);
    expect(strata("check", "--format", "xml").code).toBe(2);
  });
});
