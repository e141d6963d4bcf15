/**
 * `strata explain ARGS` and `strata build --explain ARGS` plan what `strata build ARGS` builds
 * (#18: a drop-in for docker build): both read their command line through one request
 * (runtime/cli/build/build-request.ts → runtime/engine/prepare.ts), so for every input kind docker
 * build takes (a directory with a Containerfile, `-` with a tar or a Dockerfile, `-f -`, a
 * tarball, a git `URL#ref:subdir`, `--build-context NAME=DIR`) and every flag that keys a step
 * (`--network`, `--add-host`, `--shm-size`, `--ulimit`, `--build-arg`, `--target`, `--no-cache`,
 * `--pull`, `--platform`) the steps explain lists and the hits it predicts are the steps and the
 * CACHED marks the real build (runc, a real store) then shows in its rawjson progress; what the
 * build refuses before any step (`--allow`, a platform no base or emulator gives), explain
 * refuses with the same line. Flags that key nothing (`--ssh`, `--label`) change no prediction.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { zstdCompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExplainPlan } from "../../compiler/explain/schema.ts";
import { hostPlatform } from "../../compiler/lower/platform.ts";
import { RawJsonEventSchema } from "../../runtime/cli/progress/rawjson.ts";
import { runnablePlatforms } from "../../runtime/engine/plan/platforms.ts";
import { git, startGitDaemon } from "../helpers/git-daemon.ts";
import { writeLayeredArchive } from "../helpers/oci-archive.ts";
import { type CliResult, storeWithBusybox, strata } from "../helpers/strata.ts";
import { startRegistry } from "../registry/helpers.ts";
import { context, removeTemps, temp } from "../run/helpers.ts";

/** A layer step: its instruction's text and whether it comes from the cache. */
type Step = [text: string, cached: boolean];

const host = hostPlatform(process.arch);
const foreign = host === "linux/arm64" ? "linux/amd64" : "linux/arm64";
const emulated = (await runnablePlatforms()).runnable.includes(foreign);
const tarOfDir = (dir: string): Buffer => spawnSync("tar", ["-c", "-C", dir, "."], { maxBuffer: 64 << 20 }).stdout;

describe("explain plans what the same build builds", () => {
  let root: string;
  let cleanup: () => void;
  let agent: Server;
  let sock: string;
  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("explain-sees"));
    const dir = temp("explain-sees-foreign");
    writeLayeredArchive(join(dir, "foreign.tar"), "foreign:1", 1, foreign);
    const l = strata(root, ["load", "-i", join(dir, "foreign.tar")]);
    if (l.code !== 0) throw new Error(l.stderr);
    sock = join(temp("explain-sees-agent"), "agent.sock");
    agent = createServer();
    await new Promise<void>((resolve) => agent.listen(sock, resolve));
  }, 60_000);
  afterAll(() => {
    agent.close();
    cleanup();
    removeTemps();
  });

  const run = (args: readonly string[], input?: string | Buffer): CliResult => strata(root, args, input === undefined ? {} : { input });

  /** What explain predicts: each layer step and whether it is a hit; `build --explain` prints the very same plan. */
  const predicted = (args: readonly string[], input?: string | Buffer): { steps: Step[]; plan: ExplainPlan } => {
    const e = run(["explain", "--format", "json", ...args], input);
    expect(e.code, e.stderr).toBe(0);
    expect(run(["build", "--explain", "--format", "json", ...args], input).stdout).toBe(e.stdout);
    const plan = JSON.parse(e.stdout) as ExplainPlan;
    return { plan, steps: plan.instructions.filter((i) => i.becomes === "layer" || i.becomes === "merged").map((i) => [i.text, i.cache === "hit"]) };
  };

  /** What the build did: each step it started (FROM aside) and whether it was CACHED, from its rawjson progress. */
  const built = (args: readonly string[], input?: string | Buffer): Step[] => {
    const b = run(["build", "--progress", "rawjson", ...args], input);
    expect(b.code, b.stderr).toBe(0);
    const events = b.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => RawJsonEventSchema.parse(JSON.parse(l)));
    const cached = new Set(events.flatMap((e) => (e.event === "cached" ? [e.id] : [])));
    return events.flatMap((e): Step[] => {
      if (e.event !== "start") return [];
      const text = e.label.replace(/^\[[^\]]*\] /, "");
      return text.startsWith("FROM ") ? [] : [[text, cached.has(e.id)]];
    });
  };

  /** Explains, then builds: the build does what explain said; returns the plan, checked against `expected` hits. */
  const agrees = (args: readonly string[], expected: boolean[], input?: string | Buffer): ExplainPlan => {
    const { steps, plan } = predicted(args, input);
    expect(steps.map(([, hit]) => hit)).toEqual(expected);
    expect(built(args, input)).toEqual(steps);
    return plan;
  };

  /** The one line of stderr that starts with `prefix`, from explain and from the build of the same command line. */
  const refusal = (args: readonly string[], prefix: RegExp): { explain: string; build: string } => {
    const line = (r: CliResult): string => {
      expect(r.code).toBe(1);
      return r.stderr.split("\n").find((l) => prefix.test(l)) ?? `(no ${prefix} line in: ${r.stderr})`;
    };
    return { explain: line(run(["explain", ...args])), build: line(run(["build", "--progress", "plain", ...args])) };
  };

  const reasons = (plan: ExplainPlan): (string | null)[] => plan.instructions.filter((i) => i.becomes === "layer").map((i) => i.reason);

  it("a directory with only a Containerfile, a tar of a context on stdin (plain, gzip, zstd), a Dockerfile on stdin, -f -", () => {
    const dir = context("explain-sees-containerfile", { Containerfile: "FROM busybox\nRUN echo containerfile > /which\nCOPY page /page\n", page: "a page\n" });
    agrees([dir], [false, false]);
    agrees([dir], [true, true]);

    const tar = tarOfDir(context("explain-sees-tar", { Dockerfile: "FROM busybox\nCOPY page /page\nRUN echo from-a-tar > /x\n", page: "tar page\n" }));
    agrees(["-"], [false, false], tar);
    agrees(["-"], [true, true], spawnSync("gzip", ["-c"], { input: tar }).stdout);
    agrees(["-"], [true, true], zstdCompressSync(tar));

    agrees(["-"], [false], "FROM busybox\nRUN echo dockerfile-on-stdin > /x\n");
    agrees(["-"], [true], "FROM busybox\nRUN echo dockerfile-on-stdin > /x\n");
    // The build record of `-` is kept under `-`, not under the scratch copy: explain says what changed.
    const changed = predicted(["-"], "FROM busybox\nRUN echo dockerfile-on-stdin, edited > /x\n").plan;
    expect(reasons(changed)).toEqual(['the instruction changed: "RUN echo dockerfile-on-stdin > /x" → "RUN echo dockerfile-on-stdin, edited > /x"']);

    agrees(["-f", "-", dir], [false], "FROM busybox\nCOPY page /other-page\n");
    agrees(["-f", "-", dir], [true], "FROM busybox\nCOPY page /other-page\n");
  });

  it("a cached step whose snapshot is gone is the hit explain predicts: the build unpacks its stored layer instead of running it", () => {
    const dir = context("explain-sees-gc", { Dockerfile: "FROM busybox\nRUN echo unpacked-again > /gc\n" });
    agrees([dir], [false]);
    for (const e of readdirSync(join(root, "snapshots"))) if (/^[0-9a-f]{64}$/.test(e)) rmSync(join(root, "snapshots", e), { recursive: true, force: true });
    agrees([dir], [true]);
    expect(run(["build", "-q", "-t", "explain-sees-gc:1", dir]).code).toBe(0);
    expect(run(["run", "--rm", "explain-sees-gc:1", "cat", "/gc"]).stdout).toBe("unpacked-again\n");
  });

  it("a tarball file (gzip), and -f naming a file inside it", () => {
    const dir = temp("explain-sees-tarball");
    const ctx = context("explain-sees-tarball-ctx", { Dockerfile: "FROM busybox\nCOPY page /page\n", "sub/Other": "FROM busybox\nCOPY sub/Other /other\n", page: "tarball page\n" });
    const tgz = join(dir, "ctx.tar.gz");
    writeFileSync(tgz, spawnSync("gzip", ["-c"], { input: tarOfDir(ctx) }).stdout);
    agrees([tgz], [false]);
    agrees([tgz], [true]);
    agrees(["-f", "sub/Other", tgz], [false]);
    agrees(["-f", "sub/Other", tgz], [true]);
  });

  it("a git context URL#ref:subdir, served by git daemon on 127.0.0.1", async () => {
    const base = temp("explain-sees-git");
    const repo = join(base, "app.git");
    mkdirSync(join(repo, "web"), { recursive: true });
    writeFileSync(join(repo, "web", "Dockerfile"), "FROM busybox\nCOPY page /page\nRUN cat /page\n");
    writeFileSync(join(repo, "web", "page"), "v1 page\n");
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "v1");
    git(repo, "tag", "v1");
    writeFileSync(join(repo, "web", "page"), "v2 page\n");
    git(repo, "commit", "-qam", "v2");
    const daemon = await startGitDaemon(base);
    try {
      const url = daemon.url("app.git");
      agrees([`${url}#v1:web`], [false, false]);
      agrees([`${url}#v1:web`], [true, true]);
      agrees([`${url}#main:web`], [false, false]);
    } finally {
      daemon.stop();
    }
  });

  it("--build-context NAME=DIR: COPY --from=NAME is planned from that directory, and a file changed there is the miss the build shows", () => {
    const assets = context("explain-sees-assets", { "a.txt": "one\n" });
    const dir = context("explain-sees-named", { Dockerfile: "FROM busybox\nCOPY --from=assets a.txt /a.txt\nRUN cat /a.txt\n" });
    const args = ["--build-context", `assets=${assets}`, dir];
    agrees(args, [false, false]);
    agrees(args, [true, true]);
    writeFileSync(join(assets, "a.txt"), "two\n");
    const plan = agrees(args, [false, false]);
    expect(reasons(plan)[0]).toBe("files in the build context changed: a.txt changed");
  });

  it("--network, --add-host, --shm-size and --ulimit key the RUN: changing one is the miss explain predicts; --ssh and --label key nothing", () => {
    const dir = context("explain-sees-flags", { Dockerfile: "FROM busybox\nRUN echo flags > /f\nCOPY page /page\n", page: "p\n" });
    const flags = { "--network": "none", "--add-host": "a:10.0.0.1", "--shm-size": "64m", "--ulimit": "nofile=1024:2048" };
    const argsOf = (f: Record<string, string>): string[] => [...Object.entries(f).flat(), dir];
    agrees(argsOf(flags), [false, false]);
    agrees(argsOf(flags), [true, true]);
    for (const [flag, value] of [
      ["--network", "default"],
      ["--add-host", "a:10.0.0.2"],
      ["--shm-size", "128m"],
      ["--ulimit", "nofile=2048:4096"],
    ] as const) {
      const plan = agrees(argsOf({ ...flags, [flag]: value }), [false, false]);
      expect(reasons(plan)[0], flag).toMatch(/^the instruction's effective options changed \(.*the build's --network, --add-host, --shm-size or --ulimit\)$/);
    }
    agrees([...argsOf(flags), "--ssh", `default=${sock}`, "--label", "org.example=1"], [true, true]);
  });

  it("--allow: a RUN --network=host is refused by explain as by the build; granted, the plan is the build's", () => {
    const dir = context("explain-sees-allow", { Dockerfile: "FROM busybox\nRUN --network=host echo host > /h\n" });
    const refused = refusal([dir], /^strata: error\[PLAN_ENTITLEMENT\]/);
    expect(refused.explain).toBe("strata: error[PLAN_ENTITLEMENT]: network.host is not allowed: grant it with --allow network.host");
    expect(refused.build).toBe(refused.explain);
    agrees(["--allow", "network.host", dir], [false]);
    // --network host grants network.host too, and the RUN asked for host networking already: the same key.
    agrees(["--network", "host", dir], [true]);
  });

  it("--build-arg, --target and --no-cache change the plan as they change the build", () => {
    const dir = context("explain-sees-args", { Dockerfile: "FROM busybox AS a\nARG V=1\nRUN echo $V > /v\nFROM a AS b\nRUN echo b > /b\n" });
    agrees(["--target", "a", "--build-arg", "V=2", dir], [false]);
    agrees(["--target", "b", "--build-arg", "V=2", dir], [true, false]);
    const plan = agrees(["--target", "b", "--build-arg", "V=3", dir], [false, false]);
    expect(plan.instructions.find((i) => i.text.startsWith("RUN echo $V"))?.reason).toBe('a build argument or environment variable changed: V: "2" → "3"');
    const none = agrees(["--no-cache", "--target", "b", "--build-arg", "V=3", dir], [false, false]);
    expect(new Set(reasons(none))).toEqual(new Set(["--no-cache: every step runs"]));
  });

  it(`--platform: ${foreign} planned on a ${foreign} base; LW011 where the base cannot give it, as the build says it`, () => {
    const dir = context("explain-sees-platform", { Dockerfile: "FROM busybox\nCOPY page /page\n", page: "p\n", "foreign.Dockerfile": "FROM foreign:1\nCOPY page /page\n" });
    const other = refusal(["--platform", "linux/s390x", dir], /error\[LW011\]/);
    expect(other.explain).toMatch(/Dockerfile:1:6: error\[LW011\]: busybox is a linux\/\S+ image, and this build is for linux\/s390x/);
    expect(other.build).toBe(other.explain);
    const file = join(dir, "foreign.Dockerfile");
    const implicit = refusal(["-f", file, dir], /error\[LW011\]/);
    expect(implicit.explain).toContain(`error[LW011]: foreign:1 is a ${foreign} image, and this build is for ${host}`);
    expect(implicit.build).toBe(implicit.explain);
    agrees(["--platform", foreign, "-f", file, dir], [false]);
    agrees(["--platform", foreign, "-f", file, dir], [true]);
  });

  it.skipIf(emulated)(`--platform ${foreign} with a RUN and no emulator registered: PLAN_PLATFORM from explain as from the build`, () => {
    const dir = context("explain-sees-emulator", { Dockerfile: "FROM foreign:1\nRUN true\n" });
    const r = refusal(["--platform", foreign, dir], /^strata: error\[PLAN_PLATFORM\]/);
    expect(r.explain).toContain(`RUN needs ${foreign} programs run, and this machine is ${host} with no emulator for ${foreign} registered`);
    expect(r.build).toBe(r.explain);
  });

  it("--pull: explain asks the registry for a base the store has, as the build pulls it; without --pull the store's base is planned", async () => {
    const reg = await startRegistry();
    try {
      const base = `${reg.host}/explain/base:1`;
      const image = (name: string) => {
        const b = run(["build", "-q", "-t", `explain-sees/${name}`, context(`explain-sees-${name}`, { Dockerfile: `FROM busybox\nRUN echo ${name} > /which\n` })]);
        expect(b.code, b.stderr).toBe(0);
      };
      image("one");
      image("two");
      expect(run(["tag", "explain-sees/one", base]).code).toBe(0);
      expect(run(["push", base]).code).toBe(0);
      const dir = context("explain-sees-pull", { Dockerfile: `FROM ${base}\nRUN cat /which\n` });
      agrees([dir], [false]);
      agrees(["--pull", dir], [true]); // the registry has the store's image
      // The registry gets a newer image; the store keeps the older one under the name.
      expect(run(["tag", "explain-sees/two", base]).code).toBe(0);
      expect(run(["push", base]).code).toBe(0);
      expect(run(["tag", "explain-sees/one", base]).code).toBe(0);
      agrees([dir], [true]);
      const plan = agrees(["--pull", dir], [false]);
      expect(reasons(plan)[0]).toMatch(/^the base changed: /);
      expect(plan.notes.some((n) => n.startsWith(`${base}: --pull: the build pulls it; fetched only its manifest and config from ${reg.host}`))).toBe(true);
    } finally {
      await reg.stop();
    }
  });
});
