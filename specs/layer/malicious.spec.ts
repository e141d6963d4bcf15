/**
 * Hostile layers: every escape attempt is refused with a LayerError naming the entry, in both
 * modes, and nothing outside destDir changes (a sentinel tree around it is compared, and the
 * host paths an absolute or symlinked entry aims at are checked).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyLayer } from "../../runtime/layer/apply-layer.ts";
import { LayerError } from "../../runtime/layer/errors.ts";
import { packTar, removeDir, snapshotTree, tempDir } from "./helpers.ts";

type Entries = Parameters<typeof packTar>[0];

const HOST = `strata-evil-${randomBytes(4).toString("hex")}`;

interface Case {
  title: string;
  entries: Entries;
  code: string;
  entry: string;
  /** Prepare destDir (flatten mode's pre-existing rootfs content). */
  setup?: (dest: string, sentinel: string) => Promise<void>;
  /** Harmless in flatten mode (the whiteout acts at once): accepted there, still nothing outside changes. */
  flattenAccepts?: boolean;
}

const cases: Case[] = [
  { title: "../evil", entries: [{ header: { name: "../evil" }, body: "x" }], code: "LAYER_PATH_ESCAPE", entry: "../evil" },
  { title: "an absolute name", entries: [{ header: { name: `/tmp/${HOST}` }, body: "x" }], code: "LAYER_PATH_ABSOLUTE", entry: `/tmp/${HOST}` },
  { title: "a/../../evil", entries: [{ header: { name: "a/../../evil" }, body: "x" }], code: "LAYER_PATH_ESCAPE", entry: "a/../../evil" },
  {
    title: "symlink to ../.. then a file through it",
    entries: [
      { header: { name: "link", type: "symlink", linkname: "../.." } },
      { header: { name: "link/x" }, body: "x" },
    ],
    code: "LAYER_PATH_ESCAPE",
    entry: "link/x",
  },
  {
    title: "nested symlinks climbing out",
    entries: [
      { header: { name: "d/", type: "directory" } },
      { header: { name: "d/up", type: "symlink", linkname: ".." } },
      { header: { name: "d/up2", type: "symlink", linkname: "up/.." } },
      { header: { name: "d/up2/x" }, body: "x" },
    ],
    code: "LAYER_PATH_ESCAPE",
    entry: "d/up2/x",
  },
  {
    title: "a directory through a symlink to outside",
    entries: [
      { header: { name: "link", type: "symlink", linkname: "../sentinel" } },
      { header: { name: "link/newdir/", type: "directory" } },
    ],
    code: "LAYER_PATH_ESCAPE",
    entry: "link/newdir/",
  },
  { title: "hardlink to ../../etc/passwd", entries: [{ header: { name: "hl", type: "link", linkname: "../../etc/passwd" } }], code: "LAYER_LINK_ESCAPE", entry: "hl" },
  { title: "hardlink to /etc/passwd", entries: [{ header: { name: "hl", type: "link", linkname: "/etc/passwd" } }], code: "LAYER_LINK_ESCAPE", entry: "hl" },
  {
    title: "hardlink through a symlink to outside",
    entries: [
      { header: { name: "link", type: "symlink", linkname: "/etc" } },
      { header: { name: "hl", type: "link", linkname: "link/passwd" } },
    ],
    // `/etc` means the root's etc, which has no passwd.
    code: "LAYER_LINK_TARGET_MISSING",
    entry: "hl",
  },
  { title: ".wh...", entries: [{ header: { name: ".wh.." }, body: "" }], code: "LAYER_BAD_WHITEOUT", entry: ".wh.." },
  { title: ".wh...(dotdot)", entries: [{ header: { name: "dir/.wh..." }, body: "" }], code: "LAYER_BAD_WHITEOUT", entry: "dir/.wh..." },
  { title: ".wh.", entries: [{ header: { name: ".wh." }, body: "" }], code: "LAYER_BAD_WHITEOUT", entry: ".wh." },
  { title: "a whiteout with a slash", entries: [{ header: { name: ".wh.a/b" }, body: "" }], code: "LAYER_BAD_WHITEOUT", entry: ".wh.a/b" },
  {
    title: "a whiteout through a symlink to outside",
    entries: [
      { header: { name: "link", type: "symlink", linkname: "../sentinel" } },
      { header: { name: "link/.wh.precious" }, body: "" },
    ],
    code: "LAYER_PATH_ESCAPE",
    entry: "link/.wh.precious",
  },
  {
    title: "an opaque marker through a symlink to outside",
    entries: [
      { header: { name: "link", type: "symlink", linkname: "../sentinel" } },
      { header: { name: "link/.wh..wh..opq" }, body: "" },
    ],
    code: "LAYER_PATH_ESCAPE",
    entry: "link/.wh..wh..opq",
  },
  {
    title: "a pre-existing symlink in destDir pointing outside",
    setup: async (dest) => {
      await symlink("../sentinel", join(dest, "etc"));
    },
    entries: [{ header: { name: "etc/precious" }, body: "pwned" }],
    code: "LAYER_PATH_ESCAPE",
    entry: "etc/precious",
  },
  {
    title: "a directory swapped for a symlink after a pending whiteout",
    entries: [
      { header: { name: "d/", type: "directory" } },
      { header: { name: "d/.wh.precious" }, body: "" },
      { header: { name: "d", type: "symlink", linkname: "../sentinel" } },
    ],
    code: "LAYER_PATH_ESCAPE",
    entry: "d/.wh.precious",
    flattenAccepts: true,
  },
];

describe("applyLayer refuses hostile tars", () => {
  let base: string;
  let sentinel: string;
  let dest: string;

  beforeEach(async () => {
    base = await tempDir("evil");
    sentinel = join(base, "sentinel");
    dest = join(base, "root", "dest");
    await mkdir(sentinel);
    await writeFile(join(sentinel, "precious"), "precious");
    await mkdir(dest, { recursive: true });
  });

  afterEach(async () => {
    await removeDir(base);
  });

  for (const mode of ["flatten", "overlay"] as const) {
    for (const c of cases) {
      it(`${mode}: ${c.title}`, async () => {
        if (c.setup) await c.setup(dest, sentinel);
        const before = await snapshotTree(base);
        const tar = await packTar(c.entries);
        const err = await applyLayer(Readable.from([tar]), dest, { mode }).then(
          () => null,
          (e: unknown) => e,
        );
        if (mode === "flatten" && c.flattenAccepts) {
          expect(err).toBeNull();
        } else {
          expect(err).toBeInstanceOf(LayerError);
          expect(err).toMatchObject({ code: c.code, entry: c.entry });
          expect((err as Error).message).toContain(JSON.stringify(c.entry));
        }
        // Nothing outside dest changed: compare everything under base except dest's subtree.
        const after = await snapshotTree(base);
        const outside = (s: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith("root/dest/")));
        expect(outside(after)).toEqual(outside(before));
        expect(await readFile(join(sentinel, "precious"), "utf8")).toBe("precious");
        expect(existsSync(`/tmp/${HOST}`)).toBe(false);
        expect(existsSync(join(base, "evil"))).toBe(false);
        expect(existsSync(join(base, "root", "evil"))).toBe(false);
      });
    }
  }

  it("follows symlinks that stay inside the root (usrmerge)", async () => {
    await mkdir(join(dest, "usr/lib"), { recursive: true });
    await symlink("usr/lib", join(dest, "lib"));
    await symlink("/usr", join(dest, "abs-usr")); // absolute: the root's /usr, as in the container
    const tar = await packTar([
      { header: { name: "lib/libx.so" }, body: "elf" },
      { header: { name: "abs-usr/lib/liby.so" }, body: "elf2" },
    ]);
    await applyLayer(Readable.from([tar]), dest, { mode: "flatten" });
    expect(await readFile(join(dest, "usr/lib/libx.so"), "utf8")).toBe("elf");
    expect(await readFile(join(dest, "usr/lib/liby.so"), "utf8")).toBe("elf2");
  });

  for (const mode of ["flatten", "overlay"] as const) {
    it(`${mode}: an absolute symlink restarts at the root (link -> / then link/tmp/x lands in the root's tmp)`, async () => {
      const tar = await packTar([
        { header: { name: "link", type: "symlink", linkname: "/" } },
        { header: { name: `link/tmp/${HOST}` }, body: "x" },
      ]);
      await applyLayer(Readable.from([tar]), dest, { mode });
      expect(await readFile(join(dest, "tmp", HOST), "utf8")).toBe("x");
      expect(existsSync(`/tmp/${HOST}`)).toBe(false);
    });
  }

  it("refuses malformed tars", async () => {
    const tar = await packTar([{ header: { name: "f" }, body: "hello" }]);
    const corrupt = Buffer.from(tar);
    corrupt[0] = 0x41; // breaks the header checksum
    await expect(applyLayer(Readable.from([corrupt]), dest, { mode: "flatten" })).rejects.toMatchObject({ code: "LAYER_BAD_TAR" });
    await expect(applyLayer(Readable.from([tar.subarray(0, 600)]), dest, { mode: "flatten" })).rejects.toMatchObject({
      code: "LAYER_BAD_TAR",
    });
  });
});
