/**
 * Errors as data: every code the CLI can print is in the catalogue
 * (runtime/errors/), with its exit code. Checked three ways: the sources
 * (every code a diagnostic or an error is made with is listed; no bare
 * `throw new Error` reaches a user), `strata help errors`, and a battery of
 * failing commands whose every error line carries a listed code and whose
 * exit code is the catalogue's.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNTIME_ERRORS } from "../../runtime/errors/catalogue.ts";
import { isListed, listCodes } from "../../runtime/errors/listing.ts";
import { ociArchive, tarOf } from "../reliability/tars.ts";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const files = [...sources(join(repoRoot, "compiler")), ...sources(join(repoRoot, "runtime"))];

describe("the error catalogue", () => {
  it("lists every code a diagnostic or an error is made with", () => {
    const used = new Set<string>();
    const patterns = [
      /\bcode: "([A-Za-z0-9_]+)"/g, // diagnostics built as objects
      /\b(?:error|report|finding)\([^"]*"([A-Z]{2,3}\d{3})"/g, // ex.error("LW001", …), report(ctx, "DF020", …)
      /new [A-Za-z]*Error\("([A-Z][A-Z0-9_]+)"/g, // new StrataError("IMAGE_NOT_FOUND", …)
      /super\("([A-Z][A-Z0-9_]+)"/g, // subclasses with a fixed code
    ];
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      for (const re of patterns) for (const m of text.matchAll(re)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(60);
    const missing = [...used].filter((c) => !isListed(c)).sort();
    expect(missing).toEqual([]);
  });

  it("no user-facing throw is a bare Error (only internal bugs are)", () => {
    const bare: string[] = [];
    for (const f of files.filter((p) => p.includes("/runtime/"))) {
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/throw new Error\(/.test(line) && !/throw new Error\(`?"?internal:/.test(line)) bare.push(`${f.slice(repoRoot.length + 1)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(bare).toEqual([]);
  });

  it("gives every code one entry, and every runtime code an exit code docker scripts know", () => {
    const codes = listCodes().map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    // 3 integrity, 4 limit (cli/exit-codes.ts); 64 docker's for a version or info template.
    for (const [code, e] of Object.entries(RUNTIME_ERRORS)) expect([0, 1, 2, 3, 4, 64, 125, 126, 127, 130], code).toContain(e.exit);
  });

  it("strata help errors prints the catalogue, one code, or refuses an unknown one", () => {
    const root = tempDir("help-errors");
    try {
      const all = strata(root, ["help", "errors"]);
      expect(all.code).toBe(0);
      for (const c of listCodes()) expect(all.stdout).toContain(c.code);
      const one = strata(root, ["help", "errors", "IMG001"]);
      expect(one.stdout.split("\n").filter((l) => l.startsWith("IMG001"))).toHaveLength(1);
      expect(one.stdout).not.toContain("DF001");
      const unknown = strata(root, ["help", "errors", "NOPE42"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe("strata: error[USAGE]: no error code NOPE42 in the catalogue (strata help errors lists them all)\n");
      expect(strata(root, ["help", "build"]).stdout).toContain("Usage: strata build");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("every error the CLI prints carries a listed code and the catalogue's exit code", () => {
  let store: { root: string; cleanup: () => void };
  const ctx = tempDir("errors-ctx");
  beforeAll(() => {
    store = storeWithBusybox("errors");
    writeFileSync(join(ctx, "bad.Dockerfile"), "FROM busybox:latest\nCOPPY a b\n");
    writeFileSync(join(ctx, "run.Dockerfile"), "FROM busybox:latest\nRUN exit 3\n");
    writeFileSync(join(ctx, "copy.Dockerfile"), "FROM busybox:latest\nCOPY missing.txt /\n");
    writeFileSync(join(ctx, "base.Dockerfile"), "FROM 127.0.0.1:1/nope:1\n");
    writeFileSync(join(ctx, "not-an-archive.tar"), "hello");
    writeFileSync(join(ctx, "big-index.tar"), tarOf([{ name: "index.json", body: Buffer.alloc(5 << 20, 0x20) }]));
    writeFileSync(join(ctx, "bad-blob.tar"), ociArchive([tarOf([{ name: "a", body: "a" }])], { replace: (_d, b) => Buffer.concat([b, Buffer.from(" ")]) }));
  });
  afterAll(() => {
    store.cleanup();
    rmSync(ctx, { recursive: true, force: true });
  });

  const env = { STRATA_REGISTRY_RETRIES: "1", STRATA_REGISTRY_BACKOFF_MS: "1" };
  const cases: { args: () => string[]; code: string; exit?: number }[] = [
    { args: () => ["build", join(ctx, "nothing-here")], code: "FILE_UNREADABLE" },
    { args: () => ["build", "-f", join(ctx, "bad.Dockerfile"), ctx], code: "DF001" },
    { args: () => ["build", "-f", join(ctx, "run.Dockerfile"), ctx], code: "RUN_FAILED" },
    { args: () => ["build", "-f", join(ctx, "copy.Dockerfile"), ctx], code: "COPY_SOURCE_NOT_FOUND" },
    { args: () => ["build", "-f", join(ctx, "base.Dockerfile"), ctx], code: "IMG001" },
    { args: () => ["build", "--bogus-flag", ctx], code: "USAGE" },
    { args: () => ["build", "--cache-from", "type=gha,scope=x", "-f", join(ctx, "run.Dockerfile"), ctx], code: "USAGE" },
    { args: () => ["check", join(ctx, "missing.Dockerfile")], code: "FILE_UNREADABLE" },
    { args: () => ["rmi", "nosuch:1"], code: "IMAGE_NOT_FOUND" },
    { args: () => ["inspect", "nosuch:1"], code: "NO_SUCH_OBJECT" },
    { args: () => ["image", "inspect", "nosuch:1"], code: "IMAGE_NOT_FOUND" },
    { args: () => ["commit", "nosuch", "Not/Valid"], code: "INVALID_REFERENCE", exit: 125 },
    // A reference given to be written (tag's target, build -t) is a bad argument, refused before any work.
    { args: () => ["tag", "busybox:latest", "Not/Valid"], code: "USAGE" },
    { args: () => ["run", "--rm", "--pull", "never", "nosuch:1", "true"], code: "IMAGE_NOT_FOUND", exit: 125 },
    { args: () => ["logs", "nosuch"], code: "NO_SUCH_CONTAINER" },
    { args: () => ["run", "--rm", "--network", "nosuch", "busybox:latest", "true"], code: "NET_NOT_FOUND" },
    { args: () => ["run", "--rm", "-p", "80:x", "busybox:latest", "true"], code: "NET_INVALID" },
    { args: () => ["port", "nosuch"], code: "NO_SUCH_CONTAINER" },
    { args: () => ["load", "-i", join(ctx, "not-an-archive.tar")], code: "LOAD_REFUSED" },
    { args: () => ["load", "-i", join(ctx, "big-index.tar")], code: "LIMIT_EXCEEDED" },
    { args: () => ["load", "-i", join(ctx, "bad-blob.tar")], code: "LOAD_DIGEST_MISMATCH" },
    { args: () => ["import", join(ctx, "no-such.tar"), "x:1"], code: "IO_ERROR" },
    { args: () => ["pull", "127.0.0.1:1/nope:1"], code: "REGISTRY_UNREACHABLE" },
    { args: () => ["help", "errors", "NOPE42"], code: "USAGE" },
    { args: () => ["version", "-f", "{{.Server.Version"], code: "INFO_TEMPLATE_INVALID" },
  ];

  for (const c of cases) {
    it(`${c.code}: strata ${c.args().map((a) => a.replace(`${ctx}/`, "")).join(" ")}`, () => {
      const r = strata(store.root, c.args(), { env });
      const lines = r.stderr.split("\n").filter((l) => /error\[/.test(l));
      expect(lines.length, r.stderr).toBeGreaterThan(0);
      for (const l of lines) {
        const code = /error\[([^\]]+)\]/.exec(l)?.[1] as string;
        expect(isListed(code), l).toBe(true);
      }
      expect(lines.map((l) => /error\[([^\]]+)\]/.exec(l)?.[1]), r.stderr).toContain(c.code);
      const entry = listCodes().find((e) => e.code === c.code);
      expect(r.code, r.stderr).toBe(c.exit ?? entry?.exit);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }
});
