/**
 * Escapes and glob metacharacters in file names, end to end through the CLI:
 * `strata check` and `strata build` use one .dockerignore matcher (moby's
 * patternmatcher, compiler/patterns), and COPY sources match as BuildKit
 * matches them (the Dockerfile's escapes are resolved by word expansion, as
 * BuildKit's lexer resolves them; what is left goes to Go's filepath.Match).
 * The second case is buildah's conformance context `copy-escape-glob`
 * (tests/conformance/testdata/copy-escape-glob, with the `jkl?` directory its
 * test adds), each file with its own content so the spec can tell them apart.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";
import { flattenedTree } from "../helpers/tree.ts";
import { writeTree } from "./helpers.ts";

const env = { SOURCE_DATE_EPOCH: "1700000000" };
const sha = (s: string): string => createHash("sha256").update(s).digest("hex");

/** The regular files of an image: path → content digest. */
function files(root: string, tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, e] of flattenedTree(root, `${tag}:latest`)) if (e.type === "file") out.set(p, e.content);
  return out;
}

function layers(root: string, tag: string): string[] {
  const r = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:${tag}:latest`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
}

let root: string;
const work = tempDir("copy-escapes");
beforeAll(() => {
  root = tempDir("copy-escapes-root");
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe("a .dockerignore escape (`a\\*b`) excludes the file literally named a*b, in check and build alike", () => {
  it("strata check warns CopyIgnoredFile, and the built image has no a*b", () => {
    const ctx = join(work, "ignore");
    writeTree(ctx, {
      "a*b": "the literal a*b\n",
      axb: "axb\n",
      ".dockerignore": "a\\*b\n",
      Dockerfile: "FROM scratch\nCOPY a*b /x/\nCOPY . /all/\n",
    });
    const check = strata(root, ["check", join(ctx, "Dockerfile")]);
    expect(check.stdout).toContain('Dockerfile:2:6: warning[CopyIgnoredFile]: Attempting to Copy file "a*b" that is excluded by .dockerignore');

    const b = strata(root, ["build", "-q", "-t", "esc-ignore", ctx], { env });
    expect(b.code, b.stderr).toBe(0);
    // `a*b` in the COPY is a wildcard: it finds axb, and not the excluded a*b.
    expect(files(root, "esc-ignore")).toEqual(
      new Map([
        ["all/.dockerignore", sha("a\\*b\n")],
        ["all/Dockerfile", sha("FROM scratch\nCOPY a*b /x/\nCOPY . /all/\n")],
        ["all/axb", sha("axb\n")],
        ["x/axb", sha("axb\n")],
      ]),
    );
  });
});

describe("buildah's copy-escape-glob context", () => {
  const context: Record<string, string> = {
    "app/[xyz]/file.txt": "[xyz]\n",
    "app/[xyz]/[abc]/file.txt": "[abc]\n",
    "app/jkl?/file.txt": "jkl?\n",
    "app/n?pe/file.txt": "n?pe\n",
    "app/nope/file.txt": "nope\n",
    "app/st*uv/file.txt": "st*uv\n",
    "app/strauv/file.txt": "strauv\n",
  };
  // `[[]` is a class holding `[`; `[?]` and `[*]` are literal; an escape inside a wildcard
  // segment (`n\?p[e]` after expansion) is literal too. `n\?pe` in a Dockerfile is expanded to the
  // wildcard `n?pe` (BuildKit's lexer drops the backslash), which matches n?pe and nope.
  const dockerfile = String.raw`FROM scratch
WORKDIR /app
COPY ./app/[[]xyz]/file.txt /app/
COPY ./app/[[]xyz]/[[]abc]/file.txt /app2/
COPY ./app/* /app3/
COPY ./app/n[?]pe/file.txt /app4/file.txt
COPY ./app/st[*]uv/file.txt /app5/file.txt
COPY ./app/n\\?p[e]/file.txt /app6/file.txt
COPY ./app/st\\*u?/file.txt /app7/file.txt
COPY ./app/n\?pe/file.txt /app8/
`;
  const imageTs = String.raw`import { scratch } from "strata-build";

export default scratch()
  .workdir("/app")
  .copy("./app/[[]xyz]/file.txt", "/app/")
  .copy("./app/[[]xyz]/[[]abc]/file.txt", "/app2/")
  .copy("./app/*", "/app3/")
  .copy("./app/n[?]pe/file.txt", "/app4/file.txt")
  .copy("./app/st[*]uv/file.txt", "/app5/file.txt")
  .copy("./app/n\\?p[e]/file.txt", "/app6/file.txt")
  .copy("./app/st\\*u?/file.txt", "/app7/file.txt")
  .copy("./app/n?pe/file.txt", "/app8/");
`;
  let ctx: string;
  beforeAll(() => {
    ctx = join(work, "escape-glob");
    writeTree(ctx, { ...context, Dockerfile: dockerfile, "image.ts": imageTs });
  });

  it("copies exactly the files BuildKit copies", () => {
    const b = strata(root, ["build", "-q", "-t", "esc-glob", ctx], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(files(root, "esc-glob")).toEqual(
      new Map([
        ["app/file.txt", sha("[xyz]\n")],
        ["app2/file.txt", sha("[abc]\n")],
        // Each matched directory's contents go into /app3/, in name order: the last file.txt wins.
        ["app3/[abc]/file.txt", sha("[abc]\n")],
        ["app3/file.txt", sha("strauv\n")],
        ["app4/file.txt", sha("n?pe\n")],
        ["app5/file.txt", sha("st*uv\n")],
        ["app6/file.txt", sha("n?pe\n")],
        ["app7/file.txt", sha("st*uv\n")],
        ["app8/file.txt", sha("nope\n")],
      ]),
    );
  });

  it("image.ts and the converted Dockerfile build the same layers", () => {
    const converted = join(work, "escape-glob-converted.ts");
    const conv = strata(root, ["convert", join(ctx, "Dockerfile"), "-o", converted]);
    expect(conv.code, conv.stderr).toBe(0);
    const df = strata(root, ["build", "-q", "-t", "esc-df", ctx], { env });
    expect(df.code, df.stderr).toBe(0);
    const ts = strata(root, ["build", "-q", "--no-cache", "-t", "esc-ts", "-f", join(ctx, "image.ts"), ctx], { env });
    expect(ts.code, ts.stderr).toBe(0);
    const cv = strata(root, ["build", "-q", "--no-cache", "-t", "esc-conv", "-f", converted, ctx], { env });
    expect(cv.code, cv.stderr).toBe(0);
    const expected = layers(root, "esc-df");
    expect(expected.length).toBe(9);
    expect(layers(root, "esc-ts")).toEqual(expected);
    expect(layers(root, "esc-conv")).toEqual(expected);
  });
});
