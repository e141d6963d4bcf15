import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("layers from overlay upper dirs", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("layers"));
    const ctx = tempDir("layers-ctx");
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM busybox:latest",
        "RUN mkdir -p /d/sub && echo old > /d/sub/old.txt && echo bye > /gone.txt",
        "RUN rm /gone.txt && rm -rf /d && mkdir /d && echo new > /d/new.txt",
        "",
      ].join("\n"),
    );
    const b = strata(root, ["build", "--no-merge", "-t", "layers:test", ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
  });
  afterAll(() => cleanup());

  it("a file deleted by a later RUN is absent from the image (whiteout)", () => {
    const r = strata(root, ["run", "--rm", "layers:test", "sh", "-c", "ls /gone.txt 2>&1; echo rc=$?"]);
    expect(r.stdout).toContain("rc=1");
  });

  it("a directory removed and recreated shows only its new contents (opaque)", () => {
    const r = strata(root, ["run", "--rm", "layers:test", "find", "/d"]);
    expect(r.stdout.trim().split("\n").sort()).toEqual(["/d", "/d/new.txt"]);
  });

  it("the last layer's tar carries the whiteout and the opaque marker", () => {
    const raw = JSON.parse(spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:layers:test`], { encoding: "utf8" }).stdout);
    const last = raw.layers[raw.layers.length - 1].digest.replace("sha256:", "");
    const t = spawnSync("tar", ["-tf", join(root, "blobs/sha256", last)], { encoding: "utf8" });
    const names = t.stdout.trim().split("\n");
    expect(names).toContain(".wh.gone.txt");
    expect(names).toContain("d/.wh..wh..opq");
    expect(names).toContain("d/new.txt");
  });
});
