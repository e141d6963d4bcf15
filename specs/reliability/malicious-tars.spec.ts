/**
 * The reliability battery's hostile tars (RELIABILITY.md §a: cases 1, 2, 3, 4, 7 and 15), end to
 * end through the CLI: a Dockerfile that ADDs a local tar, and base images made with
 * `strata import` of a hand-made tar or `strata load` of a hand-made OCI archive. Each case runs
 * in an oracle arena (oracle.ts): sentinels beside the store, nothing newer than the marker
 * outside it, the host files unchanged, `strata system verify` clean. Tar-slip names climb by
 * 1 to 6 levels so that, wherever Strata extracts (the store's tmp; ADD in place, in the step's
 * rootfs under the store's run/; TMPDIR, which the case points into the arena, for anything
 * temporary), one of them aims at the arena's `victim/`.
 * The oracle self-test runs one case with the applier's test-only switch and shows the oracle
 * catches the escape.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { applyLayer } from "../../runtime/layer/apply-layer.ts";
import { repoRoot, strata } from "../helpers/strata.ts";
import { flattenedTree } from "../helpers/tree.ts";
import { importTar, loadLayers, makeTar, type TarSpec } from "./images.ts";
import { importBusybox } from "./busybox.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

const arenas: Arena[] = [];
afterEach(() => {
  for (const a of arenas.splice(0)) a.cleanup();
});
function open(tag: string, own: string[] = ["ctx", "tmp"]): Arena {
  const a = arena(tag, { own });
  arenas.push(a);
  return a;
}

const ups = [1, 2, 3, 4, 5, 6].map((k) => "../".repeat(k));

/** Builds ctx/Dockerfile with TMPDIR inside the arena (so any temporary file lives there). */
function build(a: Arena, dockerfile: string, tag: string, files: Record<string, Buffer | string> = {}) {
  const ctx = a.own.ctx as string;
  writeFileSync(join(ctx, "Dockerfile"), dockerfile);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(ctx, name), data);
  return strata(a.root, ["build", "-q", "-t", tag, ctx], { env: { TMPDIR: a.own.tmp as string } });
}

describe("case 1: ADD of a local tar-slip archive", () => {
  it("case 1: every ../ name is refused with exit 1 naming the entry (ADD and import); an absolute name is refused too; nothing escapes", () => {
    const a = open("c1");
    const names = [...ups.map((u) => `${u}victim/x`), "a/../../victim/x", `${a.dir}/victim/x`];
    for (const name of names) {
      const r = build(a, "FROM scratch\nADD evil.tar /\n", "c1", { "evil.tar": makeTar([{ name: "ok", content: "ok" }, { name, content: "pwned" }]) });
      expect(r.code, name).toBe(1);
      const line = r.stderr.split("\n").find((l) => l.includes("error[")) ?? "";
      if (name.startsWith("/")) expect(line).toContain(`layer entry ${JSON.stringify(name)}: absolute path`);
      else expect(line).toMatch(new RegExp(`Dockerfile:2:1: error\\[COPY_ARCHIVE\\]: ADD failed: "evil.tar": refusing archive: layer entry ${JSON.stringify(name).replace(/[.*/]/g, "\\$&")}: path .* escapes the root$`));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    // The same names in a base image (strata import unpacks under the store's tmp).
    for (const [i, name] of names.entries()) {
      const r = importTar(a.root, a.own.ctx as string, `c1-${i}:latest`, [{ name, content: "pwned" }]);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(/^strata: error\[LAYER_PATH_(ESCAPE|ABSOLUTE)\]: .*c1_\d_latest\.tar: layer entry "[^"]+": (path "[^"]+" escapes the root|absolute path)/);
    }
    expect(strata(a.root, ["images", "-q"]).stdout.trim()).toBe("");
    expectClean(a);
  });

  it("case 1 (oracle self-test): with the applier's test-only switch on, the same tar writes outside the rootfs and check() reports it", async () => {
    const a = arena("c1-self", { own: ["rootfs"], verify: false });
    arenas.push(a);
    const tar = makeTar([
      { name: "ok", content: "ok" },
      { name: "../victim/x", content: "pwned" },
      { name: "../victim/hello", content: "pwned" },
    ]);
    // The guarded applier refuses it and the oracle stays clean …
    await expect(applyLayer(Readable.from([tar]), a.own.rootfs as string, { mode: "flatten" })).rejects.toMatchObject({ code: "LAYER_PATH_ESCAPE" });
    expect(a.check()).toEqual([]);
    // … the unguarded one escapes, and the oracle sees it.
    await applyLayer(Readable.from([tar]), a.own.rootfs as string, { mode: "flatten", testOnlyUnguarded: true });
    expect(readFileSync(join(a.dir, "victim", "x"), "utf8")).toBe("pwned");
    expect(a.check()).toEqual(expect.arrayContaining(["victim/hello changed", "victim/x appeared beside the store", "victim/x is newer than the marker"]));
  });

  it("case 1 (oracle self-test): no runtime module passes the test-only switch, so no CLI user can turn it on", () => {
    const hits: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".ts") && readFileSync(p, "utf8").includes("testOnlyUnguarded")) hits.push(p.slice(repoRoot.length + 1));
      }
    };
    walk(join(repoRoot, "runtime"));
    walk(join(repoRoot, "compiler"));
    expect(hits).toEqual(["runtime/layer/apply-layer.ts"]);
  });
});

describe("cases 2 and 3: symlinks in a base image (strata import)", () => {
  it("case 2: localetc -> /etc, then localetc/unbroken: the file lands in the rootfs's etc", () => {
    const a = open("c2");
    const r = importTar(a.root, a.own.ctx as string, "c2:latest", [
      { name: "etc/", type: "dir" },
      { name: "localetc", type: "symlink", linkname: "/etc" },
      { name: "localetc/unbroken", content: "unbroken\n" },
    ]);
    expect(r.code, r.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c2:latest");
    expect(tree.get("etc/unbroken")?.type).toBe("file");
    expect(tree.get("localetc")).toMatchObject({ type: "symlink", content: "/etc" });
    expect(statSync("/etc/unbroken", { throwIfNoEntry: false })).toBeUndefined();
    expectClean(a);
  });

  it("case 3: a two-hop go_up/escape chain is refused at every depth, and victim/newfile never exists", () => {
    const a = open("c3");
    for (const [i, up] of ups.entries()) {
      const r = importTar(a.root, a.own.ctx as string, `c3-${i}:latest`, [
        { name: "dummy/", type: "dir" },
        { name: "dummy/go_up", type: "symlink", linkname: `../${up}` },
        { name: "escape", type: "symlink", linkname: "dummy/go_up/victim" },
        { name: "escape/newfile", content: "pwned" },
      ]);
      expect(r.code, up).toBe(1);
      expect(r.stderr.trim()).toMatch(/^strata: error\[LAYER_PATH_ESCAPE\]: .*c3_\d_latest\.tar: layer entry "escape\/newfile": path escapes the root through a symlink/);
    }
    expect(statSync(join(a.dir, "victim", "newfile"), { throwIfNoEntry: false })).toBeUndefined();
    expect(strata(a.root, ["images", "-q"]).stdout.trim()).toBe("");
    expectClean(a);
  });
});

describe("case 4: hardlinks", () => {
  const hostile: [string, TarSpec[]][] = [
    ...ups.map((u): [string, TarSpec[]] => [`hl -> ${u}victim/hello`, [{ name: "hl", type: "link", linkname: `${u}victim/hello` }]]),
    ["hl -> /etc/passwd", [{ name: "hl", type: "link", linkname: "/etc/passwd" }]],
    ["a/b/c/d/x -> ../../../../etc/passwd", [{ name: "a/b/c/d/", type: "dir" }, { name: "a/b/c/d/x", type: "link", linkname: "../../../../etc/passwd" }]],
    [
      "a hardlink through a symlink to /etc",
      [
        { name: "hostetc", type: "symlink", linkname: "/etc" },
        { name: "hl", type: "link", linkname: "hostetc/passwd" },
      ],
    ],
  ];

  it("case 4: hardlinks to ../victim/hello, /etc/passwd and a/b/c/d/x -> ../../../../etc/passwd are refused (import and ADD); no host inode is linked", () => {
    const a = open("c4");
    const links = { passwd: statSync("/etc/passwd").nlink, hello: statSync(join(a.dir, "victim", "hello")).nlink };
    for (const [i, [title, entries]] of hostile.entries()) {
      const imp = importTar(a.root, a.own.ctx as string, `c4-${i}:latest`, entries);
      expect(imp.code, title).toBe(1);
      expect(imp.stderr, title).toMatch(/error\[LAYER_LINK_(ESCAPE|TARGET_MISSING)\]: .*layer entry "(hl|a\/b\/c\/d\/x)": hardlink/);
    }
    // The same through ADD (unpack mode, in place in the step's rootfs).
    for (const [title, entries] of hostile.slice(0, 3)) {
      const r = build(a, "FROM scratch\nADD evil.tar /\n", "c4", { "evil.tar": makeTar(entries) });
      expect(r.code, title).toBe(1);
      expect(r.stderr, title).toMatch(/refusing archive: layer entry "hl": hardlink target/);
    }
    expect(statSync("/etc/passwd").nlink).toBe(links.passwd);
    expect(statSync(join(a.dir, "victim", "hello")).nlink).toBe(links.hello);
    expect(strata(a.root, ["images", "-q"]).stdout.trim()).toBe("");
    expectClean(a);
  });

  it("case 4: a hardlink to a file of the layer itself still works (the refusals are not blanket)", () => {
    const a = open("c4-ok");
    const r = importTar(a.root, a.own.ctx as string, "c4ok:latest", [
      { name: "etc/", type: "dir" },
      { name: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" },
      { name: "a/b/c/d/", type: "dir" },
      { name: "a/b/c/d/x", type: "link", linkname: "etc/passwd" },
    ]);
    expect(r.code, r.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c4ok:latest");
    expect(tree.get("a/b/c/d/x")?.content).toBe(tree.get("etc/passwd")?.content);
    expectClean(a);
  });
});

describe("case 7: whiteouts", () => {
  it("case 7: .wh.., .wh... and etc/.wh.. are refused with exit 1 and `invalid whiteout`", () => {
    const a = open("c7");
    for (const [i, name] of [".wh..", ".wh...", "etc/.wh.."].entries()) {
      const r = importTar(a.root, a.own.ctx as string, `c7-${i}:latest`, [{ name: "etc/", type: "dir" }, { name, content: "" }]);
      expect(r.code, name).toBe(1);
      expect(r.stderr.trim(), name).toMatch(new RegExp(`error\\[LAYER_BAD_WHITEOUT\\]: .*layer entry ${JSON.stringify(name).replace(/[.]/g, "\\.")}: invalid whiteout of "\\.\\.?"`));
    }
    expect(strata(a.root, ["images", "-q"]).stdout.trim()).toBe("");
    expectClean(a);
  });

  it("case 7: .wh.localetc over localetc -> /etc removes only the link; etc stays", () => {
    const a = open("c7-link");
    const l = loadLayers(a.root, a.own.ctx as string, "c7link:latest", [
      [
        { name: "etc/", type: "dir" },
        { name: "etc/keep", content: "keep\n" },
        { name: "localetc", type: "symlink", linkname: "/etc" },
      ],
      [{ name: ".wh.localetc", content: "" }],
    ]);
    expect(l.code, l.stderr).toBe(0);
    // What Strata's own unpack shows (its snapshots, mounted for COPY --from), read back by umoci.
    const r = build(a, "FROM scratch\nCOPY --from=c7link:latest / /seen/\n", "c7seen");
    expect(r.code, r.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c7seen:latest");
    expect(tree.get("seen/etc/keep")?.type).toBe("file");
    expect(tree.has("seen/localetc")).toBe(false);
    expectClean(a);
  });
});

describe("case 15: a base image with /dev/null -> /proc/sys/kernel/core_pattern", () => {
  it("case 15: RUN writing /dev/null, COPY onto /dev/null and run all leave the host's core_pattern unchanged", () => {
    const a = open("c15");
    importBusybox(a.root);
    const imp = importTar(a.root, a.own.ctx as string, "nulllink:latest", [
      { name: "dev/", type: "dir" },
      { name: "dev/null", type: "symlink", linkname: "/proc/sys/kernel/core_pattern" },
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const r = build(
      a,
      "FROM busybox:latest\nCOPY --from=nulllink:latest /dev/ /dev/\nRUN echo '|/tmp/pwned %p' > /dev/null; echo '|/tmp/pwned' > /proc/sys/kernel/core_pattern || true\nCOPY pattern /dev/null\n",
      "c15",
      { pattern: "|/tmp/pwned %p\n" },
    );
    expect(r.code, r.stderr).toBe(0);
    // The COPY followed the link inside the image: the rootfs's proc path holds the bytes.
    const tree = flattenedTree(a.root, "c15:latest");
    expect(tree.get("dev/null")).toMatchObject({ type: "symlink", content: "/proc/sys/kernel/core_pattern" });
    expect(tree.get("proc/sys/kernel/core_pattern")?.type).toBe("file");
    const run = strata(a.root, ["run", "--rm", "c15:latest", "sh", "-c", "echo '|/tmp/pwned %p' > /dev/null; cat /proc/sys/kernel/core_pattern"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("pwned");
    expectClean(a);
  });
});
