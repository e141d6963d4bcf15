/**
 * The reliability battery's link cases and RUN races (RELIABILITY.md §a: cases 5, 6, 8, 11, 12
 * and 16), end to end through `strata build`, `import`, `load` and `run`, each in an oracle
 * arena (oracle.ts). Base images are hand-made tars imported into the arena's store (or busybox,
 * for the cases that RUN). Where the case is about what Strata's own unpack shows, the spec
 * copies the image's root with `COPY --from=IMAGE / /seen/` (which reads Strata's mounted
 * snapshots) into a scratch image and reads that back with umoci.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAttributeSync } from "@napi-rs/xattr";
import { afterEach, describe, expect, it } from "vitest";
import { strata, tempDir } from "../helpers/strata.ts";
import { flattenedTree } from "../helpers/tree.ts";
import { importTar, layerDigests, layerPaths, loadLayers } from "./images.ts";
import { importBusybox } from "./busybox.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";

const arenas: Arena[] = [];
afterEach(() => {
  for (const a of arenas.splice(0)) a.cleanup();
});
function open(tag: string): Arena {
  const a = arena(tag, { own: ["ctx"] });
  arenas.push(a);
  return a;
}

const env = { SOURCE_DATE_EPOCH: "1700000000" };
const sha = (s: string): string => `${(spawnSync("sha256sum", { input: s, encoding: "utf8" }).stdout as string).split(" ")[0]}`;

function build(a: Arena, dockerfile: string, tag: string, files: Record<string, string> = {}, extra: string[] = []) {
  const ctx = a.own.ctx as string;
  writeFileSync(join(ctx, "Dockerfile"), dockerfile);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(ctx, name), data);
  return strata(a.root, ["build", ...extra, "-t", tag, ctx], { env });
}

/** mode, owner and ctime: a chmod or chown (even to the same values) moves the ctime. */
const meta = (p: string): string => {
  const st = statSync(p);
  return `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.ctimeMs}`;
};

describe("case 5: chmod and chown through links that point outside", () => {
  it("case 5: a tar re-entry, COPY --chmod/--chown and RUN chmod/chown on links to /etc/passwd and ../victim/hello leave the host files' mode and owner unchanged", () => {
    const a = open("c5");
    importBusybox(a.root);
    const before = { passwd: meta("/etc/passwd"), hello: meta(join(a.dir, "victim", "hello")) };
    const links = [
      { name: "pw", type: "symlink" as const, linkname: "/etc/passwd" },
      ...[1, 2, 3, 4, 5, 6].map((k) => ({ name: `vic${k}`, type: "symlink" as const, linkname: `${"../".repeat(k)}victim/hello` })),
    ];
    // A tar whose later entries re-state the links' names with a mode and owner.
    const retar = importTar(a.root, a.own.ctx as string, "c5tar:latest", [
      ...links,
      { name: "pw", content: "mine\n", mode: 0o777, uid: 1234, gid: 1234 },
      ...[1, 2, 3, 4, 5, 6].map((k) => ({ name: `vic${k}/`, type: "dir" as const, mode: 0o777, uid: 1234, gid: 1234 })),
    ]);
    expect(retar.code, retar.stderr).toBe(0);
    // The re-entries replaced the links; nothing was chmod'ed or chown'ed through them.
    const retree = flattenedTree(a.root, "c5tar:latest");
    expect(retree.get("pw")).toMatchObject({ type: "file", mode: 0o777, uid: 1234, content: sha("mine\n") });
    for (let k = 1; k <= 6; k++) expect(retree.get(`vic${k}`), `vic${k}`).toMatchObject({ type: "dir", mode: 0o777, uid: 1234 });
    const imp = importTar(a.root, a.own.ctx as string, "c5links:latest", links);
    expect(imp.code, imp.stderr).toBe(0);
    const r = build(
      a,
      [
        "FROM busybox:latest",
        "COPY --from=c5links:latest / /",
        "COPY --chmod=777 --chown=1234:1234 f /pw",
        "COPY --chmod=777 --chown=1234:1234 f /vic3",
        "RUN chmod 777 /pw /vic1 /vic2 /vic3 /vic4 /vic5 /vic6 || true; chown 1234:1234 /pw /vic1 /vic2 /vic3 /vic4 /vic5 /vic6 || true; chown -h 99:99 /pw",
        "",
      ].join("\n"),
      "c5",
      { f: "copied\n" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(meta("/etc/passwd")).toBe(before.passwd);
    expect(meta(join(a.dir, "victim", "hello"))).toBe(before.hello);
    // The writes went where the links point inside the image.
    const tree = flattenedTree(a.root, "c5:latest");
    expect(tree.get("etc/passwd")).toMatchObject({ type: "file", mode: 0o777, uid: 1234, content: sha("copied\n") });
    expect(tree.get("pw")).toMatchObject({ type: "symlink", uid: 99, content: "/etc/passwd" });
    expectClean(a);
  });
});

describe("case 6: a base image with localetc -> /etc", () => {
  it("case 6: a new layer written by the build (COPY localetc/passwd) lands in rootfs/etc/passwd", () => {
    const a = open("c6");
    const imp = importTar(a.root, a.own.ctx as string, "c6base:latest", [
      { name: "etc/", type: "dir" },
      { name: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" },
      { name: "localetc", type: "symlink", linkname: "/etc" },
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const r = build(a, "FROM c6base:latest\nCOPY passwd /localetc/passwd\nCOPY passwd /localetc/new/\n", "c6", { passwd: "evil:x:0:0::/:/bin/sh\n" });
    expect(r.code, r.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c6:latest");
    expect(tree.get("etc/passwd")?.content).toBe(sha("evil:x:0:0::/:/bin/sh\n"));
    expect(tree.get("etc/new/passwd")?.type).toBe("file");
    expect(tree.get("localetc")).toMatchObject({ type: "symlink", content: "/etc" });
    // The layer itself names etc/passwd, not localetc/passwd.
    expect(layerPaths(a.root, "c6:latest", 1)).toContain("etc/passwd");
    expectClean(a);
  });

  it("case 6: a second image layer (load) holding localetc/passwd: nothing escapes, and Strata's unpack gives the layer's own localetc/ directory", () => {
    const a = open("c6-load");
    const l = loadLayers(a.root, a.own.ctx as string, "c6load:latest", [
      [
        { name: "etc/", type: "dir" },
        { name: "etc/passwd", content: "base\n" },
        { name: "localetc", type: "symlink", linkname: "/etc" },
      ],
      [
        { name: "localetc/", type: "dir" },
        { name: "localetc/passwd", content: "layer2\n" },
      ],
    ]);
    expect(l.code, l.stderr).toBe(0);
    const r = build(a, "FROM scratch\nCOPY --from=c6load:latest / /seen/\n", "c6seen");
    expect(r.code, r.stderr).toBe(0);
    // Layers unpack one by one into their own directories (snapshots are keyed by diffID, so a
    // layer cannot depend on its parents): the second layer's directory hides the link, as
    // docker's overlay2 gives. containerd, which applies through the parents, gives etc/passwd.
    const tree = flattenedTree(a.root, "c6seen:latest");
    expect(tree.get("seen/localetc")?.type).toBe("dir");
    expect(tree.get("seen/localetc/passwd")?.content).toBe(sha("layer2\n"));
    expect(tree.get("seen/etc/passwd")?.content).toBe(sha("base\n"));
    expectClean(a);
  });
});

/** Why case 8 cannot run here, or undefined: the kernel must record a directory rename as a redirect. */
function redirectDirGap(): string | undefined {
  const param = "/sys/module/overlay/parameters/redirect_dir";
  if (!existsSync(param)) return `${param} is missing: this kernel's overlayfs has no redirect_dir`;
  const dir = tempDir("rel-c8-probe");
  const [lower, upper, work, merged] = ["lower", "upper", "work", "merged"].map((d) => join(dir, d)) as [string, string, string, string];
  for (const d of [lower, upper, work, merged]) mkdirSync(d);
  mkdirSync(join(lower, "foo"));
  writeFileSync(join(lower, "foo", "bar"), "bar\n");
  try {
    const m = spawnSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lower},upperdir=${upper},workdir=${work},redirect_dir=on,index=off,metacopy=off`, merged], { encoding: "utf8" });
    if (m.status !== 0) return `mount -o redirect_dir=on failed: ${m.stderr.trim()}`;
    try {
      const mv = spawnSync("mv", [join(merged, "foo"), join(merged, "foo2")], { encoding: "utf8" });
      if (mv.status !== 0) return `mv under redirect_dir=on failed: ${mv.stderr.trim()}`;
      const redirect = getAttributeSync(join(upper, "foo2"), "trusted.overlay.redirect");
      if (redirect === null || redirect === undefined) return "the kernel accepts redirect_dir=on but recorded no trusted.overlay.redirect";
    } finally {
      spawnSync("umount", [merged]);
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("case 8: RUN mv of a lower directory on a kernel that can redirect_dir", () => {
  const gap = redirectDirGap();
  if (gap !== undefined) console.warn(`case 8 skipped: ${gap}`);
  it.skipIf(gap !== undefined)("case 8: RUN mv /foo /foo2: the layer holds /foo2/bar and a whiteout of /foo, never a redirect", () => {
    const a = open("c8");
    importBusybox(a.root);
    const kernelDefault = readFileSync("/sys/module/overlay/parameters/redirect_dir", "utf8").trim();
    // /foo in a base image of its own: consecutive RUNs of one build may share a layer.
    const base = build(a, "FROM busybox:latest\nRUN mkdir /foo && echo bar > /foo/bar\n", "c8base", {}, ["-q"]);
    expect(base.code, base.stderr).toBe(0);
    const r = build(a, "FROM c8base:latest\nRUN mv /foo /foo2 && cat /foo2/bar\n", "c8", {}, ["-q"]);
    expect(r.code, r.stderr).toBe(0);
    const paths = layerPaths(a.root, "c8:latest", -1);
    expect(paths).toContain("foo2/bar");
    expect(paths).toContain(".wh.foo");
    const tree = flattenedTree(a.root, "c8:latest");
    expect(tree.get("foo2/bar")?.content).toBe(sha("bar\n"));
    expect(tree.has("foo")).toBe(false);
    // Strata mounts redirect_dir=off whatever the kernel's default (here: ${kernelDefault}).
    expect(["Y", "N", "on", "off", "follow", "nofollow"]).toContain(kernelDefault);
    expectClean(a);
  });
});

describe("case 11: stage A has /out -> /", () => {
  it("case 11: COPY --from=A /out/etc/hostname resolves inside A, never the host", () => {
    const a = open("c11");
    const imp = importTar(a.root, a.own.ctx as string, "c11a:latest", [
      { name: "etc/", type: "dir" },
      { name: "etc/hostname", content: "stage-a\n" },
      { name: "out", type: "symlink", linkname: "/" },
      { name: "up", type: "symlink", linkname: "../../../../../.." },
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const r = build(
      a,
      "FROM c11a:latest AS A\nFROM scratch\nCOPY --from=A /out/etc/hostname /h1\nCOPY --from=A /up/etc/hostname /h2\nCOPY --from=A /out/../../../etc/hostname /h3\n",
      "c11",
    );
    expect(r.code, r.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c11:latest");
    for (const h of ["h1", "h2", "h3"]) expect(tree.get(h)?.content, h).toBe(sha("stage-a\n"));
    expectClean(a);
  });
});

describe("case 12: COPY foo /symlink/ where the base has symlink -> /x", () => {
  it("case 12: the file lands at rootfs/x/foo (and a link climbing out lands inside too)", () => {
    const a = open("c12");
    const imp = importTar(a.root, a.own.ctx as string, "c12base:latest", [
      { name: "symlink", type: "symlink", linkname: "/x" },
      { name: "climb", type: "symlink", linkname: "../../../../../../victim" },
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const r = build(a, "FROM c12base:latest\nCOPY foo /symlink/\nCOPY foo /climb/\n", "c12", { foo: "foo\n" });
    expect(r.code, r.stderr).toBe(0);
    const tree = flattenedTree(a.root, "c12:latest");
    expect(tree.get("x/foo")?.content).toBe(sha("foo\n"));
    expect(tree.get("victim/foo")?.content).toBe(sha("foo\n"));
    expect(tree.get("symlink")).toMatchObject({ type: "symlink", content: "/x" });
    expect(existsSync("/x/foo")).toBe(false);
    expect(readdirSync(join(a.dir, "victim"))).toEqual(["hello"]);
    expectClean(a);
  });
});

/** The cgroup paths a RUN printed (`N:controller:/path` lines of /proc/self/cgroup). */
function cgroupDirs(output: string): string[] {
  const dirs: string[] = [];
  for (const m of output.matchAll(/^#\d+ [\d.]+ \d+:([^:]*):(\/\S*strata-\S+)$/gm)) {
    const controller = (m[1] as string).replace(/^name=/, "") || "unified";
    dirs.push(join("/sys/fs/cgroup", controller, m[2] as string));
  }
  return dirs;
}

/** Host processes whose environment holds `token`. */
function processesWith(token: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(token)) found.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

describe("case 16: RUN (sleep 3; ln -sfn / /x) &", () => {
  it("case 16: after the step the cgroup is empty, the background child is gone, and the committed diff digest is stable across two builds", async () => {
    const a = open("c16");
    importBusybox(a.root);
    const token = `STRATA_C16=${a.dir.split("-").pop()}`;
    const df = `FROM busybox:latest\nRUN export ${token}; cat /proc/self/cgroup; echo made > /made; (sleep 3; ln -sfn / /x) &\n`;
    const digests: string[] = [];
    for (const extra of [[], ["--no-cache"]]) {
      const r = build(a, df, "c16", {}, ["--progress=plain", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      const dirs = cgroupDirs(r.stdout + r.stderr);
      expect(dirs.length, r.stdout + r.stderr).toBeGreaterThan(0);
      for (const d of dirs) {
        // Removed with the container, or at least holding no process.
        if (existsSync(d)) expect(readFileSync(join(d, "cgroup.procs"), "utf8").trim(), d).toBe("");
      }
      expect(processesWith(token)).toEqual([]);
      digests.push(layerDigests(a.root, "c16:latest").at(-1) as string);
    }
    expect(digests[1]).toBe(digests[0]);
    // Long after the sleep would have ended, nothing made /x, in the image or anywhere.
    await new Promise((r) => setTimeout(r, 3500));
    expect(layerPaths(a.root, "c16:latest", -1)).toEqual(["made"]);
    expect(processesWith(token)).toEqual([]);
    expectClean(a);
  });
});
