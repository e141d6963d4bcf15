/**
 * Output that works everywhere (issue 18, item 6):
 * - a terminal of 0 columns (`script -qc 'strata build .'`, as CI runners run it) falls back to
 *   plain progress, so the steps and the image ID are printed;
 * - $BUILDKIT_PROGRESS picks the mode when --progress is not given (buildx's documented
 *   variable: https://docs.docker.com/build/building/variables/#buildkit_progress);
 * - plain step names as BuildKit's dockerfile frontend writes them (prefixCommand): only FROM
 *   of an image, RUN, COPY, ADD and WORKDIR are numbered, `[NAME i/n]`, i padded to n's width,
 *   NAME left out for a one-stage Dockerfile;
 * - rawjson events follow the documented schema (RawJsonEventSchema);
 * - `strata version`, `strata info` and `strata completion bash|zsh|fish`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawJsonEventSchema } from "../../runtime/cli/progress/rawjson.ts";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

function contextWith(dockerfile: string, files: Record<string, string> = {}): string {
  const dir = tempDir("out-ctx");
  writeFileSync(join(dir, "Dockerfile"), dockerfile);
  for (const [p, c] of Object.entries(files)) writeFileSync(join(dir, p), c);
  return dir;
}

/** The `#N label` lines of plain progress. */
const starts = (stderr: string): string[] => stderr.split("\n").filter((l) => /^#\d+ \[/.test(l));

describe("output that works everywhere", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("output"));
  });
  afterAll(() => cleanup());

  it("a 0×0 pseudo-terminal (script -qc) gets plain progress: the steps and the image ID", () => {
    const ctx = contextWith("FROM busybox:latest\nRUN echo from-the-pty\n");
    const cmd = [process.execPath, join(repoRoot, "bin/strata.js"), "--root", root, "build", "--no-cache", ctx].map((a) => `'${a}'`).join(" ");
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", input: "" });
    expect(r.status, r.stdout).toBe(0);
    const out = r.stdout.replace(/\r/g, "");
    expect(out).toMatch(/^#2 \[2\/2\] RUN echo from-the-pty$/m);
    expect(out).toMatch(/^#2 \d+\.\d+ from-the-pty$/m);
    expect(out).toMatch(/^writing image sha256:[0-9a-f]{64} done$/m);
  });

  it("BUILDKIT_PROGRESS picks the mode unless --progress is given; a bad value is refused before any work", () => {
    const ctx = contextWith("FROM busybox:latest\nRUN echo env\n");
    const raw = strata(root, ["build", ctx], { env: { BUILDKIT_PROGRESS: "rawjson" } });
    expect(raw.code, raw.stderr).toBe(0);
    const events = raw.stderr.trim().split("\n").map((l) => RawJsonEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => e.event)).toContain("start");
    expect(events.find((e) => e.event === "start" && e.label.includes("RUN echo env"))).toBeDefined();
    const plain = strata(root, ["build", "--progress", "plain", ctx], { env: { BUILDKIT_PROGRESS: "rawjson" } });
    expect(plain.stderr).toMatch(/^#2 \[2\/2\] RUN echo env$/m);
    const quiet = strata(root, ["build", ctx], { env: { BUILDKIT_PROGRESS: "quiet" } });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    const bad = strata(root, ["build", ctx], { env: { BUILDKIT_PROGRESS: "fancy" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid progress mode "fancy" in BUILDKIT_PROGRESS');
  });

  it("every rawjson event of a build, a failing one too, matches the documented schema", () => {
    const ctx = contextWith("FROM busybox:latest\nRUN echo out && false\n");
    const r = strata(root, ["build", "--progress", "rawjson", ctx]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("{"));
    const events = lines.map((l) => RawJsonEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["start", "output", "error"]));
  });

  it("ARG, LABEL, ENV and other config-only instructions get no number, as in BuildKit's plain output", () => {
    const ctx = contextWith("FROM busybox:latest\nARG V=1\nLABEL a=b\nRUN echo one\nENV E=2\nWORKDIR /w\nCOPY f.txt .\nCMD [\"sh\"]\n", { "f.txt": "x\n" });
    const r = strata(root, ["build", "--progress", "plain", "--no-cache", ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(starts(r.stderr)).toEqual(["#1 [1/4] FROM docker.io/library/busybox:latest", "#2 [2/4] RUN echo one", "#3 [3/4] WORKDIR /w", "#4 [4/4] COPY f.txt ."]);
  });

  it("stages are named (stage-N when unnamed), FROM of a stage or scratch makes no vertex, and i is padded to n's width", () => {
    const runs = Array.from({ length: 10 }, (_, i) => `RUN echo ${i}`).join("\n");
    const ctx = contextWith(`FROM busybox:latest AS base\n${runs}\nFROM base\nRUN echo last\nFROM scratch\nCOPY --from=1 /bin/busybox /busybox\n`);
    const r = strata(root, ["build", "--progress", "plain", "--no-cache", "--no-merge", ctx]);
    expect(r.code, r.stderr).toBe(0);
    const lines = starts(r.stderr).map((l) => l.replace(/^#\d+ /, ""));
    expect(lines.slice(0, 2)).toEqual(["[base  1/11] FROM docker.io/library/busybox:latest", "[base  2/11] RUN echo 0"]);
    expect(lines).toContain("[base 11/11] RUN echo 9");
    expect(lines).toContain("[stage-1 1/1] RUN echo last");
    expect(lines).toContain("[stage-2 1/1] COPY --from=1 /bin/busybox /busybox");
    expect(lines.filter((l) => l.includes("FROM"))).toHaveLength(1);
  });

  it("strata version prints docker version's Client and Server sections", () => {
    const r = strata(root, ["version"]);
    expect(r.code, r.stderr).toBe(0);
    const version = (JSON.parse(spawnSync("cat", [join(repoRoot, "package.json")], { encoding: "utf8" }).stdout) as { version: string }).version;
    expect(r.stdout).toMatch(new RegExp(`^Client:\\n Version: +${version.replace(/\./g, "\\.")}\\n Node version: +${process.version.replace(/\./g, "\\.")}\\n OS/Arch: +linux/(amd64|arm64)\\n`));
    expect(r.stdout).toMatch(/\nServer: Strata[^\n]*\n Engine:\n {2}Version: +\S+\n/);
    expect(r.stdout).toMatch(/\n runc:\n {2}Version: +\d+\.\d+\.\d+/);
    const json = JSON.parse(strata(root, ["version", "--format", "json"]).stdout) as { Client: { Version: string } };
    expect(json.Client.Version).toBe(version);
  });

  it("strata info (and system info) reports the store, runc, kernel, overlay, cgroups, rootless and counts", () => {
    const r = strata(root, ["info"]);
    expect(r.code, r.stderr).toBe(0);
    // Images as docker counts them: one per image ID, untagged builds of the tests before included.
    const images = new Set(strata(root, ["images", "-q", "--no-trunc"]).stdout.split("\n").filter(Boolean)).size;
    expect(r.stdout).toMatch(new RegExp(`^Server:\\n Containers: 0\\n {2}Running: 0\\n {2}Paused: 0\\n {2}Stopped: 0\\n Images: ${images}\\n`));
    expect(r.stdout).toContain(" Storage Driver: overlayfs\n  Supports overlay: true\n  Supports fuse-overlayfs: ");
    expect(r.stdout).toMatch(/ Cgroup Version: [12]\n/);
    expect(r.stdout).toMatch(/ runc version: \d+\.\d+\.\d+/);
    expect(r.stdout).toContain(` Rootless: ${process.getuid?.() !== 0}\n`);
    expect(r.stdout).toContain(` Kernel Version: ${spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim()}\n`);
    expect(r.stdout).toContain(` Strata Root Dir: ${root}\n`);
    const json = JSON.parse(strata(root, ["system", "info", "--format", "json"]).stdout) as { Images: number; DockerRootDir: string };
    expect(json).toMatchObject({ Images: images, DockerRootDir: root });
  });

  it("strata completion bash sources cleanly and completes commands, subcommands and options from the tree", () => {
    const script = strata(root, ["completion", "bash"]);
    expect(script.code).toBe(0);
    const dir = tempDir("completion");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "strata.bash");
    writeFileSync(file, script.stdout);
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);
    const complete = (words: string[]): string => {
      const cw = words.map((w) => `'${w}'`).join(" ");
      // In an empty folder: where a word completes to files, this checkout's own (a build/ folder) must not count.
      const r = spawnSync("bash", ["-c", `source '${file}'; COMP_WORDS=(${cw}); COMP_CWORD=${words.length - 1}; _strata; echo "\${COMPREPLY[*]}"`], { encoding: "utf8", cwd: tempDir("complete") });
      return r.stdout.trim();
    };
    expect(complete(["strata", "bu"])).toBe("build");
    expect(complete(["strata", "image", "pr"])).toBe("prune");
    expect(complete(["strata", "--root", "/x", "build", "--ul"])).toBe("--ulimit");
    expect(complete(["strata", "completion", ""]).split(" ")).not.toContain("build");
    rmSync(dir, { recursive: true, force: true });
  });

  it("zsh and fish scripts carry the same tree; an unknown shell is a usage error", () => {
    const zsh = strata(root, ["completion", "zsh"]);
    expect(zsh.stdout).toMatch(/^#compdef strata\n/);
    expect(zsh.stdout).toMatch(/^ {2}'strata' '[^']*\bbuild\b/m);
    expect(zsh.stdout).toContain("compdef _strata strata\n");
    const fish = strata(root, ["completion", "fish"]);
    expect(fish.stdout).toContain(`complete -c strata -n 'test (__strata_path) = '\\''strata'\\''' -a 'build' -d 'Build an image from a Dockerfile'`);
    expect(fish.stdout).toMatch(/-l ulimit -r -F/);
    const bad = strata(root, ["completion", "tcsh"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Allowed choices are bash, zsh, fish.");
  });
});
