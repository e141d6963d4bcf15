/**
 * The battery's full-disk case (RELIABILITY.md case 33; issue 15 item 5): a store on a 64 MiB
 * ext4 filesystem (a loop mount made here, in the arena, unmounted after). An import or load
 * too big for it fails with one line that says `no space left on device` and names the file
 * (and, for a blob of an archive, its digest), exit 1, no stack trace, nothing committed and
 * nothing left in tmp/; `verify` is clean; once space is freed the same command succeeds. A
 * store remounted read-only fails the same way with `read-only file system`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { strata } from "../helpers/strata.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";
import { storeState } from "./store-state.ts";
import { ociArchive, tarOf } from "./tars.ts";

let a: Arena | undefined;
afterEach(() => {
  if (a) {
    spawnSync("umount", [a.root]);
    a.cleanup();
  }
  a = undefined;
});

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/** An arena whose store is a fresh 64 MiB ext4 loop mount, with `filler` MiB taken by a file beside the store. */
function smallStore(tag: string, fillerMiB: number, files: Record<string, Buffer>): { x: Arena; filler: string } {
  a = arena(tag, {
    own: ["disk", "in"],
    setup: ({ root, own }) => {
      const img = join(own.disk as string, "fs.img");
      run("truncate", ["-s", "64M", img]);
      run("mkfs.ext4", ["-q", "-F", img]);
      mkdirSync(root);
      run("mount", ["-o", "loop", img, root]);
      expect(strata(root, ["images"]).code).toBe(0);
      if (fillerMiB > 0) writeFileSync(join(root, "filler"), Buffer.alloc(fillerMiB << 20, 1));
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(own.in as string, name), bytes);
    },
  });
  return { x: a, filler: join(a.root, "filler") };
}

/** 20 MiB of incompressible bytes in one file: the blob and the snapshot take 40 MiB of the store. */
function bigLayer(): Buffer {
  const body = Buffer.alloc(20 << 20);
  for (let k = 0; k < body.length; k += 4) body.writeUInt32LE((Math.imul(k, 2654435761) ^ (k >>> 7)) >>> 0, k);
  return tarOf([{ name: "big.bin", body }]);
}

function expectNoSpace(x: Arena, args: string[], names: RegExp): void {
  const before = storeState(x.root);
  const r = strata(x.root, args);
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^strata: error\[IO_ERROR\]: .*no space left on device$/m);
  expect(r.stderr).toMatch(names);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(1);
  expect(storeState(x.root)).toEqual(before);
}

describe("reliability: a full disk", () => {
  it("case 33: import onto a full 64 MiB store: one line naming the file, nothing committed, success once space is freed", () => {
    const { x, filler } = smallStore("nospc-import", 24, { "big.tar": bigLayer() });
    const tar = join(x.own.in as string, "big.tar");
    expectNoSpace(x, ["import", tar, "big:1"], new RegExp(`import ${tar}: write ${x.root}/tmp/(ingest|unpack)-[^:]+: no space left on device`));
    expectClean(x);
    rmSync(filler);
    const r = strata(x.root, ["import", tar, "big:1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(strata(x.root, ["images"]).stdout).toContain("big");
    expectClean(x);
  });

  it("case 33: load of an archive whose blob does not fit: the line names the blob's digest, nothing stored, success once space is freed", () => {
    const layer = bigLayer();
    const { x, filler } = smallStore("nospc-load", 40, { "x.tar": ociArchive([layer], { name: "big:oci" }) });
    const file = join(x.own.in as string, "x.tar");
    expectNoSpace(x, ["load", "-i", file], /blob sha256:[a-f0-9]{64} in the archive: write .*: no space left on device|unpacking layer sha256:[a-f0-9]{64}: write .*: no space left on device/);
    expectClean(x);
    rmSync(filler);
    const r = strata(x.root, ["load", "-i", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Loaded image: big:oci");
    expectClean(x);
  });

  it("case 33: a read-only store: one line naming the path, exit 1, nothing changed; success once writable", () => {
    const { x } = smallStore("erofs", 0, { "small.tar": tarOf([{ name: "hello", body: "hi\n" }]) });
    const tar = join(x.own.in as string, "small.tar");
    run("mount", ["-o", "remount,ro", x.root]);
    const before = storeState(x.root);
    const r = strata(x.root, ["import", tar, "small:1"]);
    expect(r.stderr.trim()).toMatch(new RegExp(`^strata: error\\[IO_ERROR\\]: [a-z]+ ${x.root}/[^:]*: read-only file system$`));
    expect(r.code).toBe(1);
    expect(storeState(x.root)).toEqual(before);
    run("mount", ["-o", "remount,rw", x.root]);
    const ok = strata(x.root, ["import", tar, "small:1"]);
    expect(ok.code, ok.stderr).toBe(0);
    expectClean(x);
  });
});
