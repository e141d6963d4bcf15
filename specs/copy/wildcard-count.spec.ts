import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { layerBlobs, useSmallBuilds } from "../helpers/small-builds.ts";
import type { CliResult } from "../helpers/strata.ts";

/**
 * Issue 17, item 16: COPY/ADD count their sources after wildcard expansion,
 * as docker does (an unmatched wildcard contributes nothing): with only `foo`
 * in the context, `COPY doesnotexist* foo hello` copies foo as the file
 * /hello. Two sources that exist still need a destination ending in `/`.
 */

/** A regular file's content in an image's last layer. */
function lastLayerFile(root: string, ref: string, name: string): string {
  const blob = layerBlobs(root, ref).at(-1) as string;
  const x = spawnSync("tar", ["-xOf", blob, name], { encoding: "utf8" });
  if (x.status !== 0) throw new Error(`${name} not in the layer: ${x.stderr}`);
  return x.stdout;
}

describe("COPY sources are counted after wildcard expansion", () => {
  const builds = useSmallBuilds("copy-count");

  const build = (name: string, dockerfile: string, files: Record<string, string>): CliResult => builds.build(name, dockerfile, { files });

  it("COPY doesnotexist* foo hello: foo becomes the file /hello (docker's result)", () => {
    const b = build("one", "FROM scratch\nCOPY doesnotexist* foo hello\n", { foo: "foo content\n" });
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    expect(lastLayerFile(builds.root, "one:t", "hello")).toBe("foo content\n");
  });

  it("ADD and COPY --from a stage count the same way", () => {
    const df = "FROM busybox:latest AS src\nRUN echo made > /made\nFROM scratch\nADD nomatch* foo hello\nCOPY --from=src /nothing-here* /made out\n";
    const b = build("stage", df, { foo: "foo content\n" });
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    expect(lastLayerFile(builds.root, "stage:t", "out")).toBe("made\n");
  });

  it("two matches, or two existing sources, to a destination without / are still refused", () => {
    const wild = build("two-wild", "FROM scratch\nCOPY f* hello\n", { foo: "1", fab: "2" });
    expect(wild.code).not.toBe(0);
    expect(wild.stderr).toMatch(/Dockerfile:2:1: .*When using COPY with more than one source file, the destination must be a directory and end with a \//);
    const plain = build("two-plain", "FROM scratch\nCOPY doesnotexist* foo bar hello\n", { foo: "1", bar: "2" });
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/When using COPY with more than one source file/);
  });

  it("a wildcard that matches nothing copies nothing and is no error", () => {
    const b = build("none", "FROM scratch\nCOPY doesnotexist* foo /d/\nCOPY nomatch* /x\n", { foo: "foo\n" });
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    expect(lastLayerFile(builds.root, "none:t", "d/foo")).toBe("foo\n");
  });
});
