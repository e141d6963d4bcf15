/**
 * The reliability battery's build-context cases (RELIABILITY.md §a: cases 10 and 13), end to end
 * through `strata build` and `strata check`, each in an oracle arena (oracle.ts) whose own
 * folder is the context. FROM scratch throughout: no runc, no base image.
 */
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, zstdDecompressSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { strata } from "../helpers/strata.ts";
import { flattenedTree } from "../helpers/tree.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

const arenas: Arena[] = [];
afterEach(() => {
  for (const a of arenas.splice(0)) a.cleanup();
});
function open(tag: string, setup: (ctx: string) => void): Arena {
  const a = arena(tag, { own: ["ctx"], setup: ({ own }) => setup(own.ctx as string) });
  arenas.push(a);
  return a;
}

function build(a: Arena, dockerfile: string, tag: string) {
  const ctx = a.own.ctx as string;
  writeFileSync(join(ctx, "Dockerfile"), dockerfile);
  return strata(a.root, ["build", "-q", "-t", tag, ctx]);
}

/** The error line of a failed build. */
const errorLine = (stderr: string): string => stderr.split("\n").find((l) => l.includes("error[")) ?? stderr;

/** Every blob of the store, decompressed when it is a gzip or zstd stream. */
function blobs(root: string): Buffer[] {
  const dir = join(root, "blobs", "sha256");
  return readdirSync(dir).map((f) => {
    const b = readFileSync(join(dir, f));
    if (b[0] === 0x1f && b[1] === 0x8b) return gunzipSync(b);
    if (b.readUInt32LE(0) === 0xfd2fb528) return zstdDecompressSync(b);
    return b;
  });
}

/** Host bytes an escaping COPY would carry: the first line of each file, when it is long enough to tell. */
function hostNeedles(): Buffer[] {
  const out: Buffer[] = [];
  for (const p of ["/etc/shadow", "/etc/passwd", "/etc/hostname"]) {
    const first = readFileSync(p, "utf8").split("\n")[0] ?? "";
    if (first.length >= 8) out.push(Buffer.from(first));
  }
  return out;
}

describe("case 10: a context holding link -> /etc/shadow and dir -> /", () => {
  it("case 10: COPY . copies the links themselves; COPY link and COPY dir/etc/passwd fail as not in the context; no host bytes in any layer", () => {
    const a = open("c10", (ctx) => {
      symlinkSync("/etc/shadow", join(ctx, "link"));
      symlinkSync("/", join(ctx, "dir"));
      writeFileSync(join(ctx, "ok.txt"), "ok\n");
    });
    const all = build(a, "FROM scratch\nCOPY . /all/\n", "c10");
    expect(all.code, all.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c10:latest");
    expect(tree.get("all/link")).toMatchObject({ type: "symlink", content: "/etc/shadow" });
    expect(tree.get("all/dir")).toMatchObject({ type: "symlink", content: "/" });
    expect(tree.get("all/ok.txt")?.type).toBe("file");

    // A symlink named as a source is followed, as BuildKit follows it, but inside the context:
    // /etc/shadow and /etc/passwd are not there.
    const link = build(a, "FROM scratch\nCOPY link /l\n", "c10-link");
    expect(link.code).toBe(1);
    expect(errorLine(link.stderr)).toMatch(
      /Dockerfile:2:1: error\[COPY_SOURCE_NOT_FOUND\]: COPY failed: "link": not found in the build context or excluded by \.dockerignore \(symlinks resolve inside it: this is "\/etc\/shadow" there\)$/,
    );
    const through = build(a, "FROM scratch\nCOPY ok.txt /\nCOPY dir/etc/passwd /p\n", "c10-dir");
    expect(through.code).toBe(1);
    expect(errorLine(through.stderr)).toMatch(/Dockerfile:3:1: error\[COPY_SOURCE_NOT_FOUND\]: COPY failed: "dir\/etc\/passwd": not found in the build context .*"\/etc\/passwd" there\)$/);
    const wildcard = build(a, "FROM scratch\nCOPY dir/etc/pass* /p/\n", "c10-glob");
    expect(wildcard.code, wildcard.stderr).toBe(0);
    const names = strata(a.root, ["images"]).stdout;
    expect(names).toMatch(/^c10\s/m);
    expect(names).toMatch(/^c10-glob\s/m);
    expect(names).not.toMatch(/^c10-(link|dir)\s/m);

    const needles = hostNeedles();
    expect(needles.length).toBeGreaterThan(0);
    for (const blob of blobs(a.root)) for (const n of needles) expect(blob.includes(n), n.toString()).toBe(false);
    expectClean(a);
  });
});

describe("case 13: .dockerignore", () => {
  it("case 13: a .dockerignore of just `!` fails with exit 1 naming the pattern and its file:line; nothing is built", () => {
    const a = open("c13", (ctx) => {
      writeFileSync(join(ctx, ".dockerignore"), "!\n");
      writeFileSync(join(ctx, "a"), "a\n");
    });
    const r = build(a, "FROM scratch\nCOPY a /a\n", "c13");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`strata: error[BAD_PATTERN]: ${a.own.ctx}/.dockerignore:1: illegal exclusion pattern: "!"`);
    expect(strata(a.root, ["images", "-q"]).stdout.trim()).toBe("");
    expectClean(a);
  });

  it("case 13: copying an ignored file gives a warning with its line (check), and the build fails at that line naming .dockerignore", () => {
    const a = open("c13-ignored", (ctx) => {
      writeFileSync(join(ctx, ".dockerignore"), "# keep it out\nsecret.txt\n");
      writeFileSync(join(ctx, "a"), "a\n");
      writeFileSync(join(ctx, "secret.txt"), "secret\n");
    });
    const df = "FROM scratch\nCOPY a /a\nCOPY secret.txt /s\n";
    writeFileSync(join(a.own.ctx as string, "Dockerfile"), df);
    for (const args of [["check", join(a.own.ctx as string, "Dockerfile")], ["build", "--check", a.own.ctx as string]]) {
      const c = strata(a.root, args);
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout, args.join(" ")).toContain('Dockerfile:3:6: warning[CopyIgnoredFile]: Attempting to Copy file "secret.txt" that is excluded by .dockerignore');
    }
    const r = build(a, df, "c13-ignored");
    expect(r.code).toBe(1);
    expect(errorLine(r.stderr)).toMatch(/Dockerfile:3:1: error\[COPY_SOURCE_NOT_FOUND\]: COPY failed: "secret.txt": not found in the build context or excluded by \.dockerignore$/);
    expect(strata(a.root, ["images", "-q"]).stdout.trim()).toBe("");
    expectClean(a);
  });
});
