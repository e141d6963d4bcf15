/**
 * snapshot/fuse-upper.ts on upper dirs made by hand in each form fuse-overlayfs writes (its
 * experiment: ARCHITECTURE.md, the snapshot section), including the `.wh.<name>` files it falls
 * back to where mknod is refused, which this host never makes it use: after normalising, the dir
 * is in the store's overlay form and write-layer.ts gives the tar kernel overlayfs would.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { overlayXattrPrefix } from "../../runtime/fs/userns.ts";
import { getAttributeSync, listAttributesSync, setAttributeSync } from "../../runtime/fs/xattr.ts";
import { makeNodes } from "../../runtime/layer/mknod.ts";
import { writeLayer } from "../../runtime/layer/write-layer.ts";
import { normalizeFuseUpper } from "../../runtime/snapshot/fuse-upper.ts";

const dir = mkdtempSync(join(tmpdir(), "strata-fuse-upper-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Tar entry names of a layer written from `upper`. */
async function entries(upper: string): Promise<string[]> {
  const parts: Buffer[] = [];
  await writeLayer(upper, new Writable({ write: (c: Buffer, _e, cb) => {
        parts.push(c);
        cb();
      }, }));
  const tar = Buffer.concat(parts);
  const names: string[] = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString("utf8").replace(/\0.*$/s, "");
    if (name === "") break;
    names.push(name);
    const size = Number.parseInt(tar.subarray(off + 124, off + 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe.skipIf(process.getuid?.() !== 0)("fuse-overlayfs upper dirs in overlay form", () => {
  it("opaque marks, .wh. files and origin xattrs become the kernel's form; directory times stay", async () => {
    const lower = join(dir, "lower");
    const upper = join(dir, "upper");
    for (const d of [join(lower, "kept"), join(lower, "again"), join(upper, "again"), join(upper, "new"), join(upper, "kept")]) mkdirSync(d, { recursive: true });
    writeFileSync(join(lower, "file"), "x");
    writeFileSync(join(lower, "kept", "k"), "k");
    // `again`: removed and made again over a lower dir; `new`: made where nothing was below.
    for (const d of ["again", "new"]) {
      writeFileSync(join(upper, d, ".wh..wh..opq"), "");
      setAttributeSync(join(upper, d), "user.fuseoverlayfs.opaque", "y");
    }
    await makeNodes([join(upper, "again", ".wh..opq"), join(upper, "new", ".wh..opq")].map((path) => ({ path, kind: "char", major: 0, minor: 0 })));
    writeFileSync(join(upper, "new", "f"), "f");
    // The fallback whiteout of `file` and the copied-up `kept` with its origin mark.
    writeFileSync(join(upper, ".wh.file"), "");
    setAttributeSync(join(upper, "kept"), "user.fuseoverlayfs.origin", "kept");
    writeFileSync(join(upper, "kept", "k2"), "k2");
    for (const d of ["again", "new", "kept", ""]) utimesSync(join(upper, d), 1_600_000_000, 1_600_000_000);

    await normalizeFuseUpper(upper, [lower]);
    const opaque = `${overlayXattrPrefix()}opaque`;
    expect(getAttributeSync(join(upper, "again"), opaque)?.toString()).toBe("y");
    expect(listAttributesSync(join(upper, "new"))).not.toContain(opaque);
    expect(listAttributesSync(join(upper, "kept"))).toEqual([]);
    expect(readdirSync(join(upper, "again"))).toEqual([]);
    const wh = lstatSync(join(upper, "file"));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    for (const d of ["again", "new", ""]) expect(lstatSync(join(upper, d)).mtimeMs).toBe(1_600_000_000_000);
    expect((await entries(upper)).sort()).toEqual([".wh.file", "again/", "again/.wh..wh..opq", "kept/", "kept/k2", "new/", "new/f"].sort());
  });
});
