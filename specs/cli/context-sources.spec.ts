/**
 * Issue 18, the remaining gaps in build contexts, with real builds into a real store:
 * - a git context is bounded (README "Limits"): the bytes git fetches (STRATA_MAX_GIT_BYTES),
 *   the files and bytes of the tree, listed before anything is checked out (STRATA_MAX_GIT_FILES,
 *   STRATA_MAX_GIT_BYTES: a small pack of a huge tree is refused having written only the pack),
 *   and the time git may go without progress (STRATA_GIT_TIMEOUT_MS: a server that accepts and
 *   says nothing); each is exit 4 naming the URL and the variable, git and its helpers are
 *   killed, and the partial clone is removed;
 * - buildx's remote named contexts (docs.docker.com/reference/cli/docker/buildx/build/#build-context):
 *   `NAME=GIT-URL#ref:subdir` cloned with the same bounds, `NAME=https://…` downloaded, a tarball
 *   extracted and anything else one file named `context` (buildx unpacks `/context`);
 * - docker's remote main context (docs.docker.com/build/concepts/context/#remote-tarballs): a URL
 *   of a tarball is the context, of a text file the Dockerfile with an empty context;
 * - bzip2 and xz context tarballs (docker's DecompressStream reads them), bounded as gzip's are.
 * Servers: git daemon and node:http on 127.0.0.1, free ports.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, startGitDaemon } from "../helpers/git-daemon.ts";
import { freePort, storeWithBusybox, strata, strataAsync } from "../helpers/strata.ts";
import { tarOf } from "../reliability/tars.ts";
import { removeTemps, temp } from "../run/helpers.ts";

const ID = /^sha256:[a-f0-9]{64}$/;
describe("build contexts from git, URLs and compressed tarballs", () => {
  let root: string;
  let cleanup: () => void;
  let daemon: Awaited<ReturnType<typeof startGitDaemon>>;
  const base = temp("ctxsrc-git");
  beforeAll(async () => {
    ({ root, cleanup } = storeWithBusybox("ctxsrc"));
    const dockerfile = "FROM busybox\nCOPY Dockerfile /from-git\n";
    gitRepo(join(base, "rand.git"), { Dockerfile: dockerfile, "rand.bin": randomBytes(3 << 20) });
    gitRepo(join(base, "zeros.git"), { Dockerfile: dockerfile, "zeros.bin": Buffer.alloc(40 << 20) });
    gitRepo(join(base, "many.git"), { Dockerfile: dockerfile, ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f/${i}.txt`, `${i}\n`])) });
    const git = gitRepo(join(base, "app.git"), { "web/page": "v1 page\n", "web/other": "other\n" });
    git("tag", "v1");
    daemon = await startGitDaemon(base);
  });
  afterAll(() => {
    daemon.stop();
    cleanup();
    removeTemps();
  });
  const noScratchLeft = () => expect(existsSync(join(root, "tmp")) ? readdirSync(join(root, "tmp")).filter((n) => /^(build-input|named-context)-/.test(n)) : []).toEqual([]);
  const refused = (r: { code: number; stderr: string }, what: string, found: RegExp, variable: string) => {
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^strata: error\\[LIMIT_EXCEEDED\\]: build context ${what.replace(/[.?]/g, "\\$&")}: ${found.source}: over the limit of .*\\(${variable}=\\d+\\); refused, nothing kept`));
    noScratchLeft();
  };

  describe("a git context is bounded", () => {
    it("in bytes fetched: a pack over STRATA_MAX_GIT_BYTES is refused; under it the same repository builds", () => {
      const url = daemon.url("rand.git");
      refused(strata(root, ["build", "-q", url], { env: { STRATA_MAX_GIT_BYTES: "1000000" } }), url, /git wrote more than 1000000 bytes/, "STRATA_MAX_GIT_BYTES");
      const ok = strata(root, ["build", "-q", url], { env: { STRATA_MAX_GIT_BYTES: "8000000" } });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout.trim()).toMatch(ID);
      noScratchLeft();
    });

    it("in the tree's bytes, before any checkout: 40 MiB of zeros in a tiny pack is refused at 10 MB", () => {
      const url = daemon.url("zeros.git");
      refused(strata(root, ["build", "-q", `${url}#main`], { env: { STRATA_MAX_GIT_BYTES: "10000000" } }), `${url}#main`, /the tree of main holds more than 10000000 bytes/, "STRATA_MAX_GIT_BYTES");
    });

    it("in the tree's files: 41 files over STRATA_MAX_GIT_FILES=20; by default they build", () => {
      const url = daemon.url("many.git");
      refused(strata(root, ["build", "-q", url], { env: { STRATA_MAX_GIT_FILES: "20" } }), url, /the tree of HEAD has more than 20 files/, "STRATA_MAX_GIT_FILES");
      expect(strata(root, ["build", "-q", url]).code).toBe(0);
    });

    it("in time: a server that accepts and never answers is given up after STRATA_GIT_TIMEOUT_MS, git and its helpers killed", async () => {
      const port = await freePort();
      const silent: TcpServer = createTcpServer(() => {}).listen(port, "127.0.0.1");
      try {
        const url = `git://127.0.0.1:${port}/hangs.git`;
        const started = Date.now();
        const r = await strataAsync(root, ["build", "-q", url], { env: { STRATA_GIT_TIMEOUT_MS: "1000" } });
        expect(Date.now() - started).toBeLessThan(20_000);
        refused(r, url, /git made no progress for 1000 ms \(a server that does not answer\?\)/, "STRATA_GIT_TIMEOUT_MS");
        expect(spawnSync("pgrep", ["-f", `127.0.0.1:${port}/hangs`]).status).toBe(1); // no git process left
      } finally {
        silent.close();
      }
    });
  });

  describe("remote named contexts and a remote main context", () => {
    let http: Server;
    let at: (path: string) => string;
    const tarball = tarOf([
      { name: "Dockerfile", body: "FROM busybox\nCOPY hello /hello\n" },
      { name: "hello", body: "hello from the tarball\n" },
    ]);
    const gz = spawnSync("gzip", ["-c"], { input: tarball }).stdout;
    beforeAll(async () => {
      const files: Record<string, Buffer | string> = { "/ctx.tar.gz": gz, "/notes.txt": "just a file\n", "/Dockerfile": "FROM busybox\nRUN echo from-a-url > /u\n" };
      http = createServer((req, res) => {
        const body = files[req.url ?? ""];
        if (body === undefined) res.writeHead(404).end("no");
        else res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
      });
      const port = await freePort();
      await new Promise<void>((done) => http.listen(port, "127.0.0.1", done));
      at = (path) => `http://127.0.0.1:${port}${path}`;
    });
    afterAll(() => {
      http.close();
    });
    const runs = (tag: string, ...cmd: string[]) => strata(root, ["run", "--rm", tag, ...cmd]).stdout;

    it("NAME=GIT-URL#ref:subdir is cloned (and bounded) as a git context is", async () => {
      const ctx = temp("ctxsrc-named-git");
      writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nCOPY --from=src page /page\n");
      const named = `src=${daemon.url("app.git")}#v1:web`;
      const r = await strataAsync(root, ["build", "-q", "-t", "ctxsrc/named-git", "--build-context", named, ctx]);
      expect(r.code, r.stderr).toBe(0);
      expect(runs("ctxsrc/named-git", "cat", "/page")).toBe("v1 page\n");
      refused(await strataAsync(root, ["build", "-q", "--build-context", named, ctx], { env: { STRATA_MAX_GIT_FILES: "1" } }), named, /the tree of v1 has more than 1 files/, "STRATA_MAX_GIT_FILES");
    });

    it("NAME=https://…: a tarball is extracted for COPY --from; another file is one file named context; a 404 is named", async () => {
      const ctx = temp("ctxsrc-named-url");
      writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nCOPY --from=t hello /hello\nCOPY --from=n context /notes\n");
      const r = await strataAsync(root, ["build", "-q", "-t", "ctxsrc/named-url", "--build-context", `t=${at("/ctx.tar.gz")}`, "--build-context", `n=${at("/notes.txt")}`, ctx]);
      expect(r.code, r.stderr).toBe(0);
      expect(runs("ctxsrc/named-url", "cat", "/hello", "/notes")).toBe("hello from the tarball\njust a file\n");
      const missing = await strataAsync(root, ["build", "-q", "--build-context", `t=${at("/nope.tar")}`, "--build-context", `n=${at("/notes.txt")}`, ctx]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`strata: error[CONTEXT_SOURCE]: build context t=${at("/nope.tar")}: invalid response status 404 Not Found\n`);
      noScratchLeft();
    });

    it("strata build URL: a tarball is the context, a text file the Dockerfile (docker's remote contexts)", async () => {
      const tar = await strataAsync(root, ["build", "-q", "-t", "ctxsrc/url-tar", at("/ctx.tar.gz")]);
      expect(tar.code, tar.stderr).toBe(0);
      expect(runs("ctxsrc/url-tar", "cat", "/hello")).toBe("hello from the tarball\n");
      const text = await strataAsync(root, ["build", "-q", "-t", "ctxsrc/url-text", at("/Dockerfile")]);
      expect(text.code, text.stderr).toBe(0);
      expect(runs("ctxsrc/url-text", "cat", "/u")).toBe("from-a-url\n");
      noScratchLeft();
    });

    it("bzip2 and xz tarballs are contexts as gzip's are: the same image; a bomb is refused within the layer limits", () => {
      const ids = [tarball, gz, spawnSync("bzip2", ["-c"], { input: tarball }).stdout, spawnSync("xz", ["-c"], { input: tarball }).stdout].map((input) => {
        const r = strata(root, ["build", "-q", "-"], { input });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout.trim();
      });
      expect(ids[0]).toMatch(ID);
      expect(new Set(ids).size).toBe(1);
      const bomb = tarOf([{ name: "zeros", body: Buffer.alloc(20 << 20) }]);
      for (const tool of ["bzip2", "xz"]) {
        const r = strata(root, ["build", "-q", "-"], { input: spawnSync(tool, ["-c"], { input: bomb, maxBuffer: 64 << 20 }).stdout, env: { STRATA_MAX_LAYER_BYTES: "10000000" } });
        expect(r.code, r.stderr).toBe(4);
        expect(r.stderr).toMatch(/^strata: error\[LIMIT_EXCEEDED\]: build context from stdin: .*more than 10000000 bytes.*\(STRATA_MAX_LAYER_BYTES=10000000\); refused, nothing kept/);
      }
      noScratchLeft();
    });
  });
});
