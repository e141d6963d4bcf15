/** The differential harness's own comparison logic, without builders: a harness that always
 * agrees would make every differential case pass. */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/strata.ts";
import { applyExpected, compare, dropInjected, type FileTree, formatDifferences, normalizeConfig, walk } from "./harness.ts";

describe("differential harness", () => {
  it("walks a tree: types, modes, sizes, digests, symlink targets", async () => {
    const dir = tempDir("harness-walk");
    try {
      mkdirSync(join(dir, "d"), { mode: 0o750 });
      writeFileSync(join(dir, "d/f"), "abc", { mode: 0o640 });
      symlinkSync("d/f", join(dir, "l"));
      const tree = await walk(dir);
      expect(tree.get("/d")).toMatchObject({ type: "dir", mode: "0750" });
      expect(tree.get("/d/f")).toMatchObject({
        type: "file",
        mode: "0640",
        size: 3,
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      });
      expect(tree.get("/l")).toMatchObject({ type: "symlink", target: "d/f" });
      expect([...tree.keys()]).toEqual(["/", "/d", "/d/f", "/l"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports every field that differs, and paths only on one side", () => {
    const file = { type: "file", mode: "0644", uid: 0, gid: 0, size: 1, sha256: "aa" } as const;
    const a: FileTree = new Map([
      ["/x", file],
      ["/only-strata", file],
    ]);
    const b: FileTree = new Map([
      ["/x", { ...file, mode: "0755", sha256: "bb" }],
      ["/only-ref", { type: "dir", mode: "0755", uid: 0, gid: 0 }],
    ]);
    const ds = compare({ config: { Cmd: ["a"] }, files: a }, { config: { Cmd: ["b"], User: "x" }, files: b });
    expect(formatDifferences(ds).split("\n")).toEqual([
      'config Cmd: strata=["a"] reference=["b"]',
      'config User: strata=undefined reference="x"',
      'file /only-ref: only in reference {"type":"dir","mode":"0755","uid":0,"gid":0}',
      'file /only-strata: only in strata {"type":"file","mode":"0644","uid":0,"gid":0,"size":1,"sha256":"aa"}',
      'file /x: mode strata="0644" reference="0755"',
      'file /x: sha256 strata="aa" reference="bb"',
    ]);
  });

  it("normalizes what docker and buildah spell differently, and drops buildah's own label", () => {
    expect(normalizeConfig({ Cmd: [], Entrypoint: null, Labels: { "io.buildah.version": "1.28.2" }, Volumes: {}, User: "" })).toEqual({});
    expect(normalizeConfig({ Labels: { a: "b", "io.buildah.version": "1" } })).toEqual({ Labels: { a: "b" } });
  });

  it("drops buildah's empty mount targets, but not ones with content", () => {
    const e = { type: "file", mode: "0755", uid: 0, gid: 0, size: 0, sha256: "x" } as const;
    const tree: FileTree = new Map([
      ["/etc/hosts", e],
      ["/etc/resolv.conf", { ...e, size: 12 }],
      ["/run", { type: "dir", mode: "0755", uid: 0, gid: 0 }],
      ["/run/.containerenv", e],
    ]);
    dropInjected(tree);
    expect([...tree.keys()]).toEqual(["/etc/resolv.conf"]);
  });

  it("applies a case's expected override over buildah's result", () => {
    const ref = { config: { Cmd: ["sh"], User: "x" }, files: new Map([["/mnt", { type: "dir", mode: "0755", uid: 0, gid: 0 } as const]]) };
    const out = applyExpected(ref, { config: { Cmd: ["bash"], User: undefined }, files: { "/mnt": null } });
    expect(out.config).toEqual({ Cmd: ["bash"] });
    expect(out.files.size).toBe(0);
  });
});
