import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";

/** `rename` and `export` with real runc containers, running and stopped. */
describe("rename and export", () => {
  let root: string;
  let cleanup: () => void;
  let out: string;
  const n = (s: string): string => `re-${s}-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("rename-export"));
    out = tempDir("rename-export-out");
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it("rename: the container answers to its new name only, running or not; the old name is free again", () => {
    expect(strata(root, ["run", "-d", "--name", n("a"), "busybox", "sleep", "300"]).code).toBe(0);
    const r = strata(root, ["rename", n("a"), n("b")]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(strata(root, ["ps", "--format", "{{.Names}}"]).stdout).toBe(`${n("b")}\n`);
    expect(strata(root, ["exec", n("b"), "true"]).code).toBe(0);
    expect(strata(root, ["inspect", "-f", "{{.Name}}", n("b")]).stdout).toBe(`/${n("b")}\n`);
    const old = strata(root, ["exec", n("a"), "true"]);
    expect(old.stderr).toBe(`strata: error[NO_SUCH_CONTAINER]: No such container: ${n("a")}\n`);
    // The old name can be taken again; a taken or invalid name is refused, as docker's, with 1.
    expect(strata(root, ["create", "--name", n("a"), "busybox", "true"]).code).toBe(0);
    const taken = strata(root, ["container", "rename", n("b"), n("a")]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(new RegExp(`^strata: error\\[NAME_IN_USE\\]: the container name "${n("a")}" is already in use by container [0-9a-f]{12}`));
    expect(strata(root, ["rename", n("b"), "bad/name"]).stderr).toMatch(/^strata: error\[NAME_IN_USE\]: invalid container name "bad\/name"/);
    expect(strata(root, ["rename", n("b"), n("b")]).code).toBe(1);
    // Renamed while stopped too, and it keeps working.
    expect(strata(root, ["rename", n("a"), n("c")]).code).toBe(0);
    expect(strata(root, ["start", "-a", n("c")]).code).toBe(0);
  });

  it("export: a valid tar of the whole rootfs, with the container's changes, to stdout or -o", () => {
    expect(strata(root, ["run", "--name", n("x"), "busybox", "sh", "-c", "echo changed > /etc/motd && rm /bin/vi && mkdir -p /work/deep"]).code).toBe(0);
    const r = spawnSync(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "export", n("x")], { maxBuffer: 1 << 28 });
    expect(r.status, r.stderr.toString()).toBe(0);
    const list = spawnSync("tar", ["-t"], { input: r.stdout, encoding: "utf8", maxBuffer: 1 << 24 });
    expect(list.status, list.stderr).toBe(0);
    const names = list.stdout.split("\n");
    for (const p of ["bin/busybox", "bin/sh", "etc/motd", "work/deep/", "etc/passwd"]) expect(names).toContain(p);
    expect(names).not.toContain("bin/vi");
    // The same bytes with -o, written whole into place; GNU tar extracts it.
    const file = join(out, "x.tar");
    expect(strata(root, ["container", "export", "-o", file, n("x")]).code).toBe(0);
    expect(readFileSync(file).equals(r.stdout)).toBe(true);
    const x = spawnSync("tar", ["-x", "-C", out, "-f", file, "etc/motd"], { encoding: "utf8" });
    expect(x.status, x.stderr).toBe(0);
    expect(readFileSync(join(out, "etc/motd"), "utf8")).toBe("changed\n");
    // A stopped container's rootfs is mounted for the export only.
    const id = strata(root, ["inspect", "-f", "{{.Id}}", n("x")]).stdout.trim();
    expect(mountsUnder(root).filter((m) => m.includes(id))).toEqual([]);
  });
});
