import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { layerBlobs, useSmallBuilds } from "../helpers/small-builds.ts";
import { type CliResult, strata } from "../helpers/strata.ts";

/**
 * Issue 17, item 14: `FROM scratch` / `USER root` / `WORKDIR /w` builds, as
 * in BuildKit, whose file ops (WORKDIR's mkdir, COPY --chown) take `root`
 * and numbers as ids without reading /etc/passwd (llb.WithUser's parseUID;
 * a user id alone gives gid = uid). A RUN as `root` on an image with no
 * /etc/passwd runs as 0. A name that no passwd file has still fails.
 */

function layerListing(root: string, ref: string): string {
  return layerBlobs(root, ref)
    .map((blob) => spawnSync("tar", ["--numeric-owner", "-tvf", blob], { encoding: "utf8" }).stdout)
    .join("");
}

describe("USER root and numeric users without /etc/passwd", () => {
  const builds = useSmallBuilds("user-nopasswd");

  const build = (name: string, dockerfile: string): CliResult => builds.build(name, dockerfile, { files: { "f.txt": "f\n" } });

  it("FROM scratch / USER root / WORKDIR /w: the directory is made, owned 0:0", () => {
    const b = build("rootwd", "FROM scratch\nUSER root\nWORKDIR /w\n");
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    expect(layerListing(builds.root, "rootwd:t")).toMatch(/^drwxr-xr-x 0\/0 .* w\/$/m);
  });

  it("a numeric USER owns WORKDIR's directories as uid:uid, root:root and COPY --chown=root work on scratch", () => {
    const b = build("numwd", "FROM scratch\nUSER 1000\nWORKDIR /a/b\nUSER root:root\nWORKDIR /r\nCOPY --chown=root:root f.txt /r/f.txt\n");
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    const listing = layerListing(builds.root, "numwd:t");
    expect(listing).toMatch(/^drwxr-xr-x 1000\/1000 .* a\/$/m);
    expect(listing).toMatch(/^drwxr-xr-x 1000\/1000 .* a\/b\/$/m);
    expect(listing).toMatch(/^drwxr-xr-x 0\/0 .* r\/$/m);
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 .* r\/f\.txt$/m);
  });

  it("a name no passwd file has still fails, naming the user and the line", () => {
    const b = build("nosuch", "FROM scratch\nUSER nosuch\nWORKDIR /w\n");
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/Dockerfile:3:1: error\[USER_NOT_FOUND\]: .*unable to find user nosuch/);
  });

  it("RUN as root on an image whose /etc/passwd is gone runs as uid 0", () => {
    const b = build("runroot", "FROM busybox:latest\nRUN rm -f /etc/passwd /etc/group\nUSER root\nRUN id -u > /uid && id -g > /gid\n");
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
    const r = strata(builds.root, ["run", "--rm", "runroot:t", "cat", "/uid", "/gid"]);
    expect(r.stdout).toBe("0\n0\n");
  });
});
