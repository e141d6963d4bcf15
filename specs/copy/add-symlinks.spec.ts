import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { makeTar, parseStats, statScript, strataAsync } from "./helpers.ts";

/**
 * ADD extracts an archive in place, as BuildKit does (chrootarchive / containerd's archive.Apply
 * rooted at the destination): symlinks on an entry's path — the archive's own and the image's —
 * are followed as in a chroot at the destination, and nothing lands outside it. COPY/ADD's
 * destination is cleaned lexically before any symlink is followed (issue 17, items 17–19).
 */
describe("ADD through symlinks", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  let stats: ReturnType<typeof parseStats>;
  const marker = `strata-addlink-${process.pid}`;
  const tars: Record<string, Parameters<typeof makeTar>[0]> = {
    // Item 17: a link to `..` at the root stays at the root; an empty-named member is skipped.
    "symldir.tar": [
      { name: "symldir1", type: "symlink", linkname: ".." },
      { name: "symldir1/etc/myfile", content: "mine\n" },
      { name: "", content: "nameless" },
    ],
    "localetc.tar": [
      { name: "localetc", type: "symlink", linkname: "/etc" },
      { name: "localetc/x", content: "x\n" },
    ],
    // Item 18: an implied parent that exists as a link (Debian's /var/run -> /run) is written through.
    "varrun.tar": [{ name: "var/run/app.pid", content: "42\n" }],
    // As docker's Unpack: an entry naming the link itself replaces it (lstat; only dir over dir merges).
    "varlock.tar": [
      { name: "var/lock/", type: "dir", mode: 0o700 },
      { name: "var/lock/l.pid", content: "7\n" },
    ],
    // Escapes: every one stays inside the destination.
    "escape.tar": [
      { name: "up", type: "symlink", linkname: "../../../../../../.." },
      { name: `up/tmp/${marker}-up`, content: "x" },
      { name: "abs", type: "symlink", linkname: "/" },
      { name: `abs/tmp/${marker}-abs`, content: "x" },
      { name: "a", type: "symlink", linkname: "b/../../../.." },
      { name: "b", type: "symlink", linkname: "." },
      { name: `a/tmp/${marker}-chain`, content: "x" },
      { name: `hostlink/${marker}-image`, content: "x" },
    ],
  };

  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("copy-addlink"));
    ctx = tempDir("copy-addlink");
    for (const [name, entries] of Object.entries(tars)) writeFileSync(join(ctx, name), makeTar(entries));
    writeFileSync(join(ctx, "f.txt"), "f\n");
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM busybox:latest",
        "RUN mkdir -p /run /lock /some/dir /sub && rm -rf /var/run /var/lock && ln -s /run /var/run && ln -s /lock /var/lock && ln -s /some/dir /symlink && ln -s ../../../../../../../tmp /hostlink",
        "ADD symldir.tar /",
        "ADD localetc.tar /",
        "ADD localetc.tar /sub/",
        "ADD varrun.tar /",
        "ADD varlock.tar /",
        "ADD escape.tar /esc/",
        "ADD escape.tar /",
        "ADD . /symlink/..",
        "COPY f.txt /symlink/../copied.txt",
        "",
      ].join("\n"),
    );
    const b = await strataAsync(root, ["build", "-t", "copy:addlink", ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
    const paths = [
      "/etc/myfile",
      "/symldir1",
      "/etc/x",
      "/sub/etc/x",
      "/run/app.pid",
      "/var/run",
      "/var/lock",
      "/var/lock/l.pid",
      "/lock/l.pid",
      ...["up", "abs", "chain"].flatMap((k) => [`/esc/tmp/${marker}-${k}`, `/tmp/${marker}-${k}`]),
      `/tmp/${marker}-image`,
      "/f.txt",
      "/some/f.txt",
      "/copied.txt",
      "/some/copied.txt",
    ];
    const r = strata(root, ["run", "--rm", "copy:addlink", "sh", "-c", statScript(paths)]);
    if (r.code !== 0) throw new Error(r.stderr);
    stats = parseStats(r.stdout);
  });
  afterAll(() => cleanup());

  const type = (p: string) => {
    const v = stats.get(p);
    if (v === undefined) throw new Error(`${p} was not listed`);
    return v === "missing" ? "missing" : v.type;
  };

  it("item 17: `symldir1 -> ..` then `symldir1/etc/myfile` writes /etc/myfile; an empty-named member is skipped", () => {
    expect(type("/etc/myfile")).toBe("regular file");
    expect(type("/symldir1")).toBe("symbolic link");
  });

  it("item 17: `localetc -> /etc` then `localetc/x` writes the destination's etc/x (/etc/x at /, /sub/etc/x at /sub/)", () => {
    expect(type("/etc/x")).toBe("regular file");
    expect(type("/sub/etc/x")).toBe("regular file");
  });

  it("item 18: var/run/app.pid goes through the image's /var/run -> /run, which stays a link", () => {
    expect(type("/run/app.pid")).toBe("regular file");
    expect(type("/var/run")).toBe("symbolic link");
  });

  it("item 18: an explicit var/lock/ entry over the link replaces it with the archive's directory, as docker's Unpack does", () => {
    expect(type("/var/lock")).toBe("directory");
    expect(type("/var/lock/l.pid")).toBe("regular file");
    expect(type("/lock/l.pid")).toBe("missing");
  });

  it("item 17: links climbing out, absolute links and ../ chains stay inside the destination; nothing reaches the host", () => {
    for (const k of ["up", "abs", "chain"]) {
      expect(type(`/esc/tmp/${marker}-${k}`), k).toBe("regular file");
      expect(type(`/tmp/${marker}-${k}`), k).toBe("regular file"); // the ADD to / : the rootfs's /tmp
      expect(existsSync(`/tmp/${marker}-${k}`), k).toBe(false);
    }
    // The image's own /hostlink -> ../../../../tmp resolves to the rootfs's /tmp.
    expect(type(`/tmp/${marker}-image`)).toBe("regular file");
    expect(existsSync(`/tmp/${marker}-image`)).toBe(false);
  });

  it("item 18: an existing file where a parent should be, or a link to one, is refused as docker refuses it (not a directory), naming the entry", () => {
    writeFileSync(join(ctx, "notdir.tar"), makeTar([{ name: "passwd/x", content: "x" }]));
    writeFileSync(join(ctx, "linkfile.tar"), makeTar([{ name: "pw/x", content: "x" }]));
    const cases: [string, string][] = [
      ["ADD notdir.tar /etc/", `ADD failed: "notdir.tar": refusing archive: layer entry "passwd/x": "passwd" is not a directory`],
      ["RUN ln -s passwd /etc/pw\nADD linkfile.tar /etc/", `ADD failed: "linkfile.tar": refusing archive: layer entry "pw/x": "passwd" is not a directory`],
    ];
    for (const [lines, message] of cases) {
      const df = join(ctx, "Dockerfile.notdir");
      writeFileSync(df, `FROM busybox:latest\n${lines}\n`);
      const r = strata(root, ["build", "-f", df, ctx]);
      expect(r.code, lines).not.toBe(0);
      expect(r.stderr, lines).toContain(message);
    }
  });

  it("item 19: ADD . /symlink/.. and COPY f.txt to /symlink/../copied.txt land in / (the .. is applied before the link is followed)", () => {
    expect(type("/f.txt")).toBe("regular file");
    expect(type("/some/f.txt")).toBe("missing");
    expect(type("/copied.txt")).toBe("regular file");
    expect(type("/some/copied.txt")).toBe("missing");
  });
});
