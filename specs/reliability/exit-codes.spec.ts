/**
 * Issue 15, item 6: one exit-code table for the whole CLI. `strata help exit-codes` prints
 * EXIT_CODES (runtime/cli/exit-codes.ts), README.md's table is the same rows, the ExitCode
 * constants are all in it, and every exit code the error catalogue gives a code is in it.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES, ExitCode } from "../../runtime/cli/exit-codes.ts";
import { RUNTIME_ERRORS } from "../../runtime/errors/catalogue.ts";
import { listCodes } from "../../runtime/errors/listing.ts";
import { repoRoot, strata, tempDir } from "../helpers/strata.ts";

const inTable = new Set(EXIT_CODES.map((r) => r.exit));

describe("the exit-code table (issue 15, item 6)", () => {
  it("has the codes the issue names, in order, each once", () => {
    expect(EXIT_CODES.map((r) => r.exit)).toEqual(["0", "1", "2", "3", "4", "64", "125", "126", "127", "130", "143", "other"]);
  });

  it("holds every ExitCode constant and every exit code of the catalogue", () => {
    for (const [name, code] of Object.entries(ExitCode)) expect(inTable.has(String(code)), `ExitCode.${name} = ${code}`).toBe(true);
    for (const c of listCodes()) expect(inTable.has(String(c.exit)), `${c.code} exits ${c.exit}`).toBe(true);
    // The preflight's gaps are environment errors: exit 2.
    for (const [code, entry] of Object.entries(RUNTIME_ERRORS)) if (code.startsWith("ENV_")) expect(entry.exit, code).toBe(2);
  });

  it("is what `strata help exit-codes` prints", () => {
    const root = tempDir("exit-codes");
    const r = strata(root, ["help", "exit-codes"]);
    rmSync(root, { recursive: true, force: true });
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split("\n").slice(1).map((l) => /^(\S+)\s+(.*)$/.exec(l)?.slice(1));
    expect(rows).toEqual(EXIT_CODES.map((x) => [x.exit, x.meaning]));
  });

  it("is README.md's table, row for row", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Errors and exit codes"));
    const table = section.slice(section.indexOf("| code | meaning |"), section.indexOf("\n\n", section.indexOf("| code | meaning |")));
    const rows = table.split("\n").slice(2).map((l) => l.replace(/^\| | \|$/g, "").split(" | "));
    expect(rows).toEqual(EXIT_CODES.map((x) => [x.exit, x.meaning]));
  });
});
