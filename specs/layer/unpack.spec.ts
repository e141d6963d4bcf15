import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyLayer } from "../../runtime/layer/apply-layer.ts";
import { makeTar, type TarSpec } from "../copy/helpers.ts";
import { tempDir } from "../helpers/strata.ts";

/**
 * applyLayer's "unpack" mode (ADD): symlinks on an entry's path are followed as in a chroot at the
 * destination, so hostile links land inside it; a sibling `victim/` beside the destination and
 * the host stay untouched (issue 17, item 17).
 */
describe("applyLayer unpack: a chroot at the destination", () => {
  let box: string;
  let dest: string;
  let victim: string;
  beforeEach(() => {
    box = tempDir("unpack");
    dest = join(box, "dest");
    victim = join(box, "victim");
    mkdirSync(dest);
    mkdirSync(victim);
    writeFileSync(join(victim, "hello"), "hello\n");
  });
  afterEach(() => rmSync(box, { recursive: true, force: true }));

  const unpack = (entries: TarSpec[]) => applyLayer(Readable.from([makeTar(entries)]), dest, { mode: "unpack" });
  const victimUntouched = () => {
    expect(readdirSync(victim)).toEqual(["hello"]);
    expect(readFileSync(join(victim, "hello"), "utf8")).toBe("hello\n");
  };

  it("links up and out, absolute links, `..` chains through links and pre-existing links all resolve inside", async () => {
    symlinkSync("../victim", join(dest, "existing"));
    await unpack([
      { name: "up", type: "symlink", linkname: "../victim" },
      { name: "up/x", content: "x" },
      { name: "abs", type: "symlink", linkname: "/" },
      { name: "abs/victim/y", content: "y" },
      { name: "deep/", type: "dir" },
      { name: "deep/link", type: "symlink", linkname: "../../../../victim" },
      { name: "deep/link/z", content: "z" },
      { name: "hop1", type: "symlink", linkname: "hop2/../.." },
      { name: "hop2", type: "symlink", linkname: "deep" },
      { name: "hop1/victim/w", content: "w" },
      { name: "existing/v", content: "v" },
      { name: "hl", type: "link", linkname: "up/x" },
    ]);
    victimUntouched();
    for (const f of ["victim/x", "victim/y", "victim/z", "victim/w", "victim/v"]) expect(existsSync(join(dest, f)), f).toBe(true);
    expect(lstatSync(join(dest, "hl")).ino).toBe(lstatSync(join(dest, "victim/x")).ino);
  });

  it("an entry naming the destination (`./`, an empty name) is skipped and changes nothing of it", async () => {
    const before = lstatSync(dest).mode;
    await unpack([
      { name: "./", type: "dir", mode: 0o700 },
      { name: "", content: "nameless" },
      { name: "a", content: "a" },
    ]);
    expect(lstatSync(dest).mode).toBe(before);
    expect(readdirSync(dest)).toEqual(["a"]);
  });

  it("`../` names and hardlinks out are still refused, naming the entry", async () => {
    await expect(unpack([{ name: "../victim/evil", content: "x" }])).rejects.toThrow(/layer entry "..\/victim\/evil": path .* escapes the root/);
    await expect(unpack([{ name: "hl", type: "link", linkname: "../victim/hello" }])).rejects.toThrow(/layer entry "hl": hardlink target/);
    victimUntouched();
  });
});
