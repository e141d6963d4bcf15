/**
 * The battery's bad Dockerfiles (RELIABILITY.md cases 23–29): each exits 1 with
 * `Dockerfile:L:C`, and the store's listing (`strata images` and the blob list) is the same
 * before and after. A BOM and CRLF line endings are accepted. Where a case's wording and
 * BuildKit differ, BuildKit's behaviour is the oracle:
 * - `RUN ["sh","-c","exit 3"]junk` is the exec form: BuildKit's parseJSON reads the first JSON
 *   value with a json.Decoder and ignores what follows it (`ENTRYPOINT ["x"] # comment` is
 *   `["x"]`); it fails as a step, at its line, quoting the argv. `CMD ["a",["b"]]` is JSON with a
 *   non-string: a parse error.
 * - an empty FROM is `base name ($IMG) should not be blank`; chmod errors are BuildKit's
 *   `invalid chmod parameter: '64a'. it should be octal string and between 0 and 07777`.
 * Builds run in a network namespace of their own (`unshare --net`): `COPY --from=invalid` names
 * an image, and its lookup must reach no registry outside this machine.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithShared, sharedPath } from "../helpers/shared-data.ts";
import { type CliResult, repoRoot, strata } from "../helpers/strata.ts";
import { busyboxArena } from "./busybox.ts";
import { type Arena, expectClean } from "./oracle.ts";

let a: Arena;

beforeAll(() => {
  a = busyboxArena("dockerfiles", { own: ["ctx"] });
}, 300_000);
afterAll(() => a?.cleanup());

/** What `strata images` lists (ids and names): compared around the whole file. */
function images(): string {
  const r = strata(a.root, ["images", "--format", "json", "--no-trunc"]);
  expect(r.code, r.stderr).toBe(0);
  const rows = r.stdout.split("\n").filter((l) => l.trim() !== "");
  return rows
    .map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      return `${o.Repository}:${o.Tag} ${o.ID}`;
    })
    .sort()
    .join("\n");
}

/**
 * The store's listing as each case compares it (cheap enough to take around every build): the
 * image index `strata images` reads, every blob and every snapshot.
 */
function listing(): string {
  const names = (d: string) => readdirSync(join(a.root, d)).sort().join(" ");
  return [readFileSync(join(a.root, "index.json"), "utf8"), names("blobs/sha256"), names("snapshots")].join("\n");
}

let imagesAtStart = "";

function imageId(ref: string): string {
  return (JSON.parse(strata(a.root, ["inspect", ref]).stdout) as { Id: string }[])[0]?.Id ?? "";
}

/** `strata build` of one Dockerfile (bytes as given), with no network but loopback. */
function build(dockerfile: string | Buffer, tag = "bad:1"): CliResult {
  writeFileSync(join(a.own.ctx as string, "Dockerfile"), dockerfile);
  const r = spawnSync("unshare", ["--net", process.execPath, join(repoRoot, "bin/strata.js"), "--root", a.root, "build", "--progress", "plain", "-t", tag, a.own.ctx as string], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Builds a bad Dockerfile: exit 1, the error at `Dockerfile:where`, the listing unchanged. */
function expectRefused(dockerfile: string | Buffer, where: string, ...says: (string | RegExp)[]): string {
  const before = listing();
  const r = build(dockerfile);
  const err = r.stderr;
  expect(r.code, err).toBe(1);
  expect(err).toContain(`Dockerfile:${where}: error[`);
  for (const s of says) expect(err).toMatch(typeof s === "string" ? new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : s);
  expect(err).not.toMatch(/\n\s+at .*\.(?:ts|js):\d+/); // no stack trace
  expect(listing()).toBe(before);
  return err;
}

describe("reliability: bad Dockerfiles", () => {
  beforeAll(() => {
    imagesAtStart = images();
    expect(imagesAtStart).toMatch(/^busybox:latest sha256:/);
  });

  it("case 23: FNTRYPOINT is an unknown instruction with a did-you-mean", () => {
    expectRefused('FROM busybox\nFNTRYPOINT ["/bin/sh"]\n', "2:1", "unknown instruction: FNTRYPOINT", "did you mean ENTRYPOINT?");
  });

  it("case 24: COPY with one argument, an unknown flag, and --from naming no stage or image", () => {
    expectRefused("FROM busybox\nCOPY foo\n", "2:6", "COPY requires at least two arguments");
    expectRefused("FROM busybox\ncopy --foo=bar / /\n", "2:6", "unknown flag: --foo for COPY");
    expectRefused("FROM busybox\nRUN true\ncopy --from=invalid a b\n", "3:1", 'image "invalid:latest"');
  });

  it("case 25: CMD with a nested array is a JSON error; RUN [..]junk is BuildKit's exec form (text after the array ignored) and fails quoting the argv", () => {
    const cmd = expectRefused('FROM busybox\nCMD ["a",["b"]]\n', "2:5", "arrays must be comprised of strings only");
    expect(cmd).toContain('> 2 | CMD ["a",["b"]]');
    const run = expectRefused('FROM busybox\nRUN ["sh","-c","exit 3"]junk\n', "2:1", "error[RUN_FAILED]", 'process "sh -c exit 3"');
    expect(run).toContain("exit code: 3");
  });

  it("case 26: a failed RUN over a continuation marks lines 2 and 3", () => {
    const err = expectRefused("FROM busybox\nrun wh\\\nat\n", "2:1", 'process "/bin/sh -c what"');
    expect(err).toMatch(/> 2 \| run wh\\\n> 3 \| at\n/);
  });

  it("case 27: ENV with a name and no value, an empty file, a file of only comments", () => {
    expectRefused("FROM busybox\n\nENV PATH\n", "3:5", "ENV must have two arguments");
    expectRefused("", "1:1", "file with no instructions");
    expectRefused("# Hello\n# These are just comments\n\n", "4:1", "file with no instructions");
  });

  it("case 28: ADD --chmod=64a and --chmod=10000 are BuildKit's invalid chmod parameter", () => {
    for (const mode of ["64a", "10000"]) {
      expectRefused(`FROM busybox\nADD --chmod=${mode} a /a\n`, "2:13", `invalid chmod parameter: '${mode}'. it should be octal string and between 0 and 07777`);
    }
  });

  it("case 29: an empty ARG in FROM, ONBUILD ONBUILD, an unterminated heredoc, a NUL byte, a 1 MiB line", () => {
    expectRefused("ARG IMG=\nFROM $IMG\n", "2:6", "base name ($IMG) should not be blank");
    expectRefused("FROM busybox\nONBUILD ONBUILD RUN true\n", "2:9", "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    expectRefused("FROM busybox\nRUN <<EOF\necho hi\n", "2:1", "unterminated heredoc <<EOF");
    expectRefused(Buffer.from("FROM busybox\nRUN echo a\0b\n"), "2:11", "NUL byte in the Dockerfile");
    const long = expectRefused(`FROM busybox\nLABEL a=${"x".repeat(1 << 20)}\n`, "2:1", "dockerfile line greater than max allowed size of 65535");
    expect(long.length).toBeLessThan(4096); // the message shows a cut line, not the megabyte
  });

  it("case 29: a BOM and CRLF line endings are accepted", () => {
    const df = Buffer.from('\ufeffFROM busybox\r\nRUN printf "%s" "hi" \\\r\n  > /f && test "$(cat /f)" = hi\r\nLABEL a=b\r\n', "utf8");
    const r = build(df, "bom:1");
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(strata(a.root, ["inspect", "bom:1"]).stdout) as { Config: { Labels: Record<string, string> } }[];
    expect(info[0]?.Config.Labels).toEqual({ a: "b" });
    expect(readFileSync(join(a.own.ctx as string, "Dockerfile")).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

});

describeWithShared("reliability: BuildKit's negative parser inputs", "conformance/buildkit/testfiles-negative", () => {
  const dir = sharedPath("conformance/buildkit/testfiles-negative");
  const where: Record<string, [string, string]> = {
    empty_dockerfile: ["1:1", "file with no instructions"],
    env_no_value: ["3:5", "ENV must have two arguments"],
    only_comments: ["4:1", "file with no instructions"],
    "shykes-nested-json": ["1:5", "arrays must be comprised of strings only"],
  };
  for (const name of readdirSync(dir).sort()) {
    it(`case 27: BuildKit's testfiles-negative/${name} exits 1 at its line and column`, () => {
      const [at, says] = where[name] ?? ["?", "?"];
      expectRefused(readFileSync(join(dir, name, "Dockerfile")), at, says);
    });
  }
});

describe("reliability: bad Dockerfiles leave no trace", () => {
  it("case 29: after cases 23–29 strata images lists only what the good builds added, the oracle finds nothing, verify passes", () => {
    expect(images()).toBe([imagesAtStart, `bom:1 ${imageId("bom:1")}`].sort().join("\n"));
    expectClean(a);
  });
});
