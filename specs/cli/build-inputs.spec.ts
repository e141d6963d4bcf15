/**
 * `strata build` takes its inputs and writes its results as `docker build` / `docker buildx build`
 * do (#18 item 1, part A), with real builds into a real store:
 * - docker build reference, "Build with -" (https://docs.docker.com/reference/cli/docker/buildx/build/
 *   and docker/cli's DetectArchiveReader): `docker build - < Dockerfile` reads a Dockerfile with an
 *   empty context; a tar (plain, gzip, zstd) on stdin is the context; `-f -` reads the Dockerfile
 *   from stdin beside a context directory; a tarball is a context, never read as a Dockerfile;
 * - "Git repositories" (https://docs.docker.com/build/concepts/context/#git-repositories): the URL
 *   fragment `#ref:subdir`;
 * - podman-build(1): a context with only a `Containerfile` builds it (Dockerfile first when both);
 * - buildx's `--iidfile` (the image ID, no newline), `--metadata-file` (`containerimage.digest`,
 *   `containerimage.config.digest`, `containerimage.descriptor`, `image.name`), `--label`,
 *   `--pull` (pull even when the store has the base), `--platform`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zstdCompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, startGitDaemon } from "../helpers/git-daemon.ts";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { startRegistry } from "../registry/helpers.ts";
import { tarOf } from "../reliability/tars.ts";
import { context, removeTemps } from "../run/helpers.ts";

const ID = /^sha256:[a-f0-9]{64}$/;
const COPYING = 'FROM busybox\nCOPY greeting /greeting\nCMD ["cat", "/greeting"]\n';

/** `tar c .` of a directory (GNU tar, as a CI script pipes it). */
const tarOfDir = (dir: string): Buffer => spawnSync("tar", ["-c", "-C", dir, "."], { maxBuffer: 64 << 20 }).stdout;

describe("strata build inputs and results, as docker build's", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("build-inputs"));
    ctx = context("build-inputs", { Dockerfile: COPYING, greeting: "hello from the context\n" });
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });
  // Each build is tagged and run by its tag (running an untagged image by ID is #18 item 2's).
  let builds = 0;
  const quiet = (args: string[], input?: string | Buffer) => {
    const tag = `inputs/b${++builds}`;
    return { ...strata(root, ["build", "-q", "-t", tag, ...args], input === undefined ? {} : { input }), tag };
  };
  const runs = (id: string, ...cmd: string[]) => strata(root, ["run", "--rm", id, ...cmd]);
  const noScratchLeft = () => expect(existsSync(join(root, "tmp")) ? readdirSync(join(root, "tmp")).filter((n) => n.startsWith("build-input-")) : []).toEqual([]);

  it("printf 'FROM busybox…' | strata build -: a Dockerfile on stdin, built with an empty context", () => {
    const r = quiet(["-"], "FROM busybox\nRUN echo built-from-stdin > /from\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(ID);
    expect(runs(r.tag, "cat", "/from").stdout).toBe("built-from-stdin\n");
    // strata build - < Dockerfile: no context, so a COPY has nothing to copy (docker: "not found").
    const copy = quiet(["-"], COPYING);
    expect(copy.code).toBe(1);
    expect(copy.stderr).toMatch(/^ERROR: Dockerfile:2:1: error\[COPY_SOURCE_NOT_FOUND\]: COPY failed: "greeting": not found in the build context/m);
    noScratchLeft();
  });

  it("tar c . | strata build -: a tar on stdin is the context, plain, gzip or zstd; the same image each time", () => {
    const tar = tarOfDir(ctx);
    const ids = [tar, spawnSync("gzip", ["-c"], { input: tar }).stdout, zstdCompressSync(tar)].map((input) => {
      const r = quiet(["-"], input);
      expect(r.code, r.stderr).toBe(0);
      expect(runs(r.tag).stdout).toBe("hello from the context\n");
      return r.stdout.trim();
    });
    expect(new Set(ids).size).toBe(1);
    noScratchLeft();
  });

  it("strata build ctx.tar: a tarball file is the context, never read as a Dockerfile; -f names a file inside it", () => {
    const dir = tempDir("build-inputs-tarball");
    const tgz = join(dir, "ctx.tar.gz");
    writeFileSync(join(dir, "ctx.tar"), tarOfDir(ctx));
    writeFileSync(tgz, spawnSync("gzip", ["-c", join(dir, "ctx.tar")]).stdout);
    for (const file of [join(dir, "ctx.tar"), tgz]) {
      const r = quiet([file]);
      expect(r.code, r.stderr).toBe(0);
      expect(runs(r.tag).stdout).toBe("hello from the context\n");
    }
    const other = context("build-inputs-tar-f", { "build/Other": "FROM busybox\nCOPY build/Other /other\n" });
    writeFileSync(join(dir, "f.tar"), tarOfDir(other));
    const f = quiet(["-f", "build/Other", join(dir, "f.tar")]);
    expect(f.code, f.stderr).toBe(0);
    expect(runs(f.tag, "cat", "/other").stdout).toContain("COPY build/Other");
    const out = quiet(["-f", "../../etc/passwd", join(dir, "f.tar")]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe("strata: error[USAGE]: -f ../../etc/passwd: the Dockerfile must be inside the build context\n");
    noScratchLeft();
  });

  it("refuses a context tar that climbs out of its directory, naming the entry; nothing is written outside", () => {
    const evil = tarOf([
      { name: "Dockerfile", body: "FROM busybox\n" },
      { name: "../escaped-by-build-input", body: "owned\n" },
    ]);
    const r = quiet(["-"], evil);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^strata: error\[LAYER_PATH_ESCAPE\]: build context from stdin: .*"\.\.\/escaped-by-build-input"/m);
    expect(existsSync(join(root, "tmp", "escaped-by-build-input"))).toBe(false);
    noScratchLeft();
  });

  it("-f -: the Dockerfile from stdin, the context a directory; stdin cannot be both", () => {
    const r = quiet(["-f", "-", ctx], "FROM busybox\nCOPY greeting /g2\n");
    expect(r.code, r.stderr).toBe(0);
    expect(runs(r.tag, "cat", "/g2").stdout).toBe("hello from the context\n");
    // --check reads the same inputs: the Dockerfile from stdin is there until the checks ran.
    const check = strata(root, ["build", "--check", "-"], { input: "FROM busybox as Build\n" });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain("warning[FromAsCasing]: 'as' and 'FROM' keywords' casing do not match");
    const both = quiet(["-f", "-", "-"], "FROM busybox\n");
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("strata: error[USAGE]: invalid argument: can't use stdin for both build context and dockerfile\n");
  });

  it("picks up a Containerfile when there is no Dockerfile (podman's rule), the Dockerfile when both are there", () => {
    const only = context("build-inputs-containerfile", { Containerfile: "FROM busybox\nRUN echo containerfile > /which\n" });
    const a = quiet([only]);
    expect(a.code, a.stderr).toBe(0);
    expect(runs(a.tag, "cat", "/which").stdout).toBe("containerfile\n");
    const both = context("build-inputs-both", { Containerfile: "FROM busybox\nRUN echo containerfile > /which\n", Dockerfile: "FROM busybox\nRUN echo dockerfile > /which\n" });
    const b = quiet([both]);
    expect(b.code, b.stderr).toBe(0);
    expect(runs(b.tag, "cat", "/which").stdout).toBe("dockerfile\n");
  });

  it("--iidfile, --metadata-file and --label: docker/build-push-action's files, read back by run and inspect", () => {
    const dir = tempDir("build-inputs-files");
    const iid = join(dir, "iid");
    const meta = join(dir, "metadata.json");
    const labelled = context("build-inputs-label", { Dockerfile: `${COPYING}LABEL from.dockerfile=1 over=dockerfile\n`, greeting: "hi\n" });
    const r = strata(root, ["build", "--progress", "plain", "--iidfile", iid, "--metadata-file", meta, "--label", "org.opencontainers.image.source=https://example.com/x", "--label", "over=flag", "--label", "bare", "-t", "inputs/labelled:1", "-t", "inputs/labelled:2", labelled]);
    expect(r.code, r.stderr).toBe(0);
    const id = readFileSync(iid, "utf8");
    expect(id).toMatch(ID); // no newline, as docker writes it
    expect(r.stderr).toContain(`writing image ${id} done`);
    expect(runs("inputs/labelled:2").stdout).toBe("hi\n");
    const inspect = JSON.parse(strata(root, ["inspect", "inputs/labelled:1"]).stdout) as [{ Id: string; Config: { Labels: Record<string, string> } }];
    expect(inspect[0].Id).toBe(id);
    expect(inspect[0].Config.Labels).toEqual({ "from.dockerfile": "1", over: "flag", bare: "", "org.opencontainers.image.source": "https://example.com/x" });
    const m = JSON.parse(readFileSync(meta, "utf8")) as Record<string, unknown>;
    expect(m["containerimage.config.digest"]).toBe(id);
    expect(m["containerimage.digest"]).toMatch(ID);
    expect(m["containerimage.descriptor"]).toEqual({ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: m["containerimage.digest"], size: expect.any(Number) });
    expect(m["image.name"]).toBe("inputs/labelled:1,inputs/labelled:2");
    // A failed build leaves no stale ID behind (buildx removes the files first).
    const failed = strata(root, ["build", "--iidfile", iid, "--metadata-file", meta, context("build-inputs-fail", { Dockerfile: "FROM busybox\nRUN false\n" })]);
    expect(failed.code).toBe(1);
    expect(existsSync(iid)).toBe(false);
    expect(existsSync(meta)).toBe(false);
    expect(quiet(["--label", "=v", ctx]).stderr).toBe("strata: error[USAGE]: --label =v: invalid label: the key is empty\n");
  });

  it("--pull pulls a base the store has (the registry's newer image wins), and an unreachable registry is an error naming the host", async () => {
    const reg = await startRegistry();
    try {
      const base = `${reg.host}/inputs/base:latest`;
      const newer = context("build-inputs-newer", { Dockerfile: "FROM busybox\nRUN echo pushed > /marker\n" });
      expect(strata(root, ["build", "-q", "-t", base, newer]).code).toBe(0);
      const push = strata(root, ["push", base]);
      expect(push.code, push.stderr).toBe(0);
      expect(strata(root, ["tag", "busybox:latest", base]).code).toBe(0); // the store's copy: older, no /marker
      const dir = context("build-inputs-pull", { Dockerfile: `FROM ${base}\nRUN cat /marker\n` });
      const local = quiet([dir]);
      expect(local.code).toBe(1); // from the store: no /marker
      const pulled = quiet(["--pull", dir]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(strata(root, ["run", "--rm", base, "cat", "/marker"]).stdout).toBe("pushed\n");
    } finally {
      await reg.stop();
    }
    expect(strata(root, ["tag", "busybox:latest", "127.0.0.1:1/inputs/base:latest"]).code).toBe(0);
    const dir = context("build-inputs-unreachable", { Dockerfile: "FROM 127.0.0.1:1/inputs/base\n" });
    expect(quiet([dir]).code).toBe(0); // from the store
    const r = quiet(["--pull", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:1:1: error\[IMG001\]: image "127\.0\.0\.1:1\/inputs\/base:latest" could not be pulled \(--pull\): cannot reach registry 127\.0\.0\.1:1 /);
  });

  it("--platform: a platform the base cannot give is an error; a malformed or multi-platform value is refused before any work", () => {
    const same = quiet(["--platform", "linux/amd64", ctx]);
    expect(same.code, same.stderr).toBe(0);
    const other = quiet(["--platform", "linux/s390x", ctx]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/Dockerfile:1:6: error\[LW011\]: busybox is a linux\/amd64 image, and this build is for linux\/s390x/);
    expect(quiet(["--platform", "linux/amd64,,linux/arm64", ctx]).stderr).toBe("strata: error[USAGE]: --platform linux/amd64,,linux/arm64: an empty platform in the list\n");
    const bad = quiet(["--platform", "amd64", ctx]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^strata: error\[USAGE\]: --platform amd64: "amd64": unknown operating system or architecture/);
  });

  describe("a git context served by git daemon on 127.0.0.1", () => {
    let daemon: Awaited<ReturnType<typeof startGitDaemon>>;
    let url: string;
    beforeAll(async () => {
      const base = tempDir("build-inputs-git");
      const repo = join(base, "app.git");
      const git = gitRepo(repo, { Dockerfile: "FROM busybox\nRUN echo root > /which\n", "web/Dockerfile": 'FROM busybox\nCOPY page /page\nCMD ["cat", "/page"]\n', "web/page": "v1 page\n" });
      git("tag", "v1");
      writeFileSync(join(repo, "web", "page"), "v2 page\n");
      git("commit", "-qam", "v2");
      daemon = await startGitDaemon(base);
      url = daemon.url("app.git");
    });
    afterAll(() => {
      daemon.stop();
    });

    it("builds URL#ref:subdir: the tag's tree, the subdirectory as the context; the default branch without a fragment", () => {
      const v1 = quiet([`${url}#v1:web`]);
      expect(v1.code, v1.stderr).toBe(0);
      expect(runs(v1.tag).stdout).toBe("v1 page\n");
      const head = quiet([`${url}#:web`]);
      expect(head.code, head.stderr).toBe(0);
      expect(runs(head.tag).stdout).toBe("v2 page\n");
      const rootCtx = quiet([url]);
      expect(rootCtx.code, rootCtx.stderr).toBe(0);
      expect(runs(rootCtx.tag, "cat", "/which").stdout).toBe("root\n");
      noScratchLeft();
    });

    it("a missing ref, or a subdirectory outside the repository, is an error naming the context", () => {
      const ref = quiet([`${url}#no-such-ref`]);
      expect(ref.code).toBe(1);
      expect(ref.stderr).toMatch(new RegExp(`^strata: error\\[CONTEXT_SOURCE\\]: build context ${url}#no-such-ref: .*no-such-ref`));
      const out = quiet([`${url}#main:../..`]);
      expect(out.code).toBe(1);
      expect(out.stderr).toBe(`strata: error[CONTEXT_SOURCE]: build context ${url}#main:../..: subdirectory "../.." is not a directory inside the repository\n`);
      noScratchLeft();
    });
  });
});
