import { chmodSync, existsSync, linkSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { parseStats, statScript, writeTree } from "./helpers.ts";

/** COPY from the build context, checked against BuildKit's behaviour (Dockerfile reference, COPY and .dockerignore). */
describe("COPY from the build context", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  const escapeDir = `/tmp/strata-copy-escapeDir-${process.pid}`;
  let stats: ReturnType<typeof parseStats>;
  let contents: string;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("copy-ctx"));
    ctx = tempDir("copy-ctx");
    writeTree(ctx, {
      "a.txt": "alpha\n",
      "z.txt": "zed\n",
      "b.md": "beta\n",
      "script.sh": "#!/bin/sh\n",
      "dir/sub/s.txt": "s\n",
      "dir/h1": "hard\n",
      "dir/run.sh": "run\n",
      "dir/mode700/f": "f\n",
      "src/one/x.txt": "one\n",
      "src/two/x.txt": "two\n",
      "src/two/y.md": "y\n",
      "x/y/a.txt": "xya\n",
      "x/y/b.txt": "xyb\n",
      "x/y/c.md": "xyc\n",
      "tree/a.txt": "ta\n",
      "tree/k/b.txt": "tb\n",
      "tree/k/l/c.txt": "tc\n",
      "tree/k/l/d.md": "td\n",
      "ex/keep.txt": "k\n",
      "ex/drop.log": "d\n",
      "ex/sub/keep.txt": "k\n",
      "ex/sub/drop.log": "d\n",
      "secret.txt": "secret\n",
      "logs/l.txt": "log\n",
      "deep/a/b.tmp": "tmp\n",
      "deep/a/ok.txt": "ok\n",
      "cache/drop.txt": "drop\n",
      "cache/keep.me": "keep\n",
      ".dockerignore": "# comment\nsecret.txt\n/logs\n**/*.tmp\ncache\n!cache/keep.me\n",
    });
    chmodSync(join(ctx, "script.sh"), 0o664);
    chmodSync(join(ctx, "dir/run.sh"), 0o755);
    chmodSync(join(ctx, "dir/mode700"), 0o700);
    linkSync(join(ctx, "dir/h1"), join(ctx, "dir/h2"));
    symlinkSync("../a.txt", join(ctx, "dir/rel"));
    symlinkSync("a.txt", join(ctx, "link"));
    utimesSync(join(ctx, "a.txt"), 1_000_000_000, 1_000_000_000);
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM busybox:latest",
        `RUN echo "app:x:1234:1500::/home/app:/bin/sh" >> /etc/passwd && echo "grp:x:1500:" >> /etc/group && echo "other:x:1600:" >> /etc/group && mkdir -p /existing && chmod 700 /existing && ln -s ../../../../..${escapeDir} /esc`,
        "COPY a.txt /file-no-slash",
        "COPY a.txt /dir-slash/",
        "COPY a.txt /existing",
        "COPY dir /copied-dir",
        "COPY link /link-followed",
        "COPY link /linkdir/",
        "COPY *.txt *.md /multi/",
        "COPY src/*/x.txt /wild/",
        "COPY --parents ./x/./y/*.txt /parents1/",
        "COPY --parents ./tree/**/*.txt /parents2/",
        "COPY --exclude=**/*.log ex /excluded/",
        "COPY . /all/",
        "COPY --chmod=640 script.sh /chmod-octal",
        "COPY --chmod=u+x,g-r,o= script.sh /chmod-sym",
        "COPY --chmod=u=rwX,go=rX dir /chmod-dir/",
        "COPY --chown=app dir/sub /chown-name/",
        "COPY --chown=app:other a.txt /chown-both",
        "COPY --chown=42 a.txt /chown-num",
        "COPY ../../a.txt /climb",
        "COPY a.txt /esc/",
        "COPY <<EOF /heredoc/",
        "hello heredoc",
        "EOF",
        "COPY <<EOF /heredoc-file",
        "inline file",
        "EOF",
        "",
      ].join("\n"),
    );
    const b = strata(root, ["build", "-t", "copy:ctx", ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
    const paths = [
      "/file-no-slash",
      "/dir-slash/a.txt",
      "/existing",
      "/existing/a.txt",
      "/copied-dir/sub/s.txt",
      "/copied-dir/rel",
      "/copied-dir/h1",
      "/copied-dir/h2",
      "/copied-dir/mode700",
      "/link-followed",
      "/linkdir/link",
      "/multi/a.txt",
      "/multi/z.txt",
      "/multi/b.md",
      "/multi/secret.txt",
      "/wild/x.txt",
      "/parents1/y/a.txt",
      "/parents1/y/b.txt",
      "/parents1/y/c.md",
      "/parents1/x",
      "/parents2/tree/a.txt",
      "/parents2/tree/k/b.txt",
      "/parents2/tree/k/l/c.txt",
      "/parents2/tree/k/l/d.md",
      "/excluded/keep.txt",
      "/excluded/sub/keep.txt",
      "/excluded/drop.log",
      "/excluded/sub/drop.log",
      "/all/a.txt",
      "/all/Dockerfile",
      "/all/.dockerignore",
      "/all/secret.txt",
      "/all/logs",
      "/all/deep/a/ok.txt",
      "/all/deep/a/b.tmp",
      "/all/cache/keep.me",
      "/all/cache/drop.txt",
      "/chmod-octal",
      "/chmod-sym",
      "/chmod-dir",
      "/chmod-dir/mode700",
      "/chmod-dir/sub/s.txt",
      "/chmod-dir/run.sh",
      "/chown-name",
      "/chown-name/s.txt",
      "/chown-both",
      "/chown-num",
      "/climb",
      `${escapeDir}/a.txt`,
      "/heredoc/EOF",
      "/heredoc-file",
    ];
    const r = strata(root, ["run", "--rm", "copy:ctx", "sh", "-c", `${statScript(paths)}; echo ---; cat /wild/x.txt /copied-dir/rel /link-followed /heredoc/EOF /heredoc-file; readlink /copied-dir/rel`]);
    if (r.code !== 0) throw new Error(r.stderr);
    const [s, c] = r.stdout.split("---\n");
    stats = parseStats(s as string);
    contents = c as string;
  });
  afterAll(() => cleanup());

  const st = (p: string) => {
    const v = stats.get(p);
    if (v === undefined || v === "missing") throw new Error(`${p} is missing`);
    return v;
  };
  const missing = (p: string) => expect(stats.get(p), p).toBe("missing");

  it("a file goes to dest when dest has no trailing slash, into it when it has one or is a directory", () => {
    expect(st("/file-no-slash").type).toBe("regular file");
    expect(st("/dir-slash/a.txt").type).toBe("regular file");
    expect(st("/existing/a.txt").type).toBe("regular file");
    expect(st("/existing").mode).toBe("700"); // an existing destination keeps its mode
  });

  it("keeps mode and mtime, and owns everything 0:0 without --chown", () => {
    expect(st("/file-no-slash")).toMatchObject({ mode: "644", owner: "0:0", mtime: 1_000_000_000 });
    expect(st("/copied-dir/mode700").mode).toBe("700");
  });

  it("a directory copies its contents, with symlinks as symlinks and hard links kept", () => {
    expect(st("/copied-dir/sub/s.txt").type).toBe("regular file");
    expect(st("/copied-dir/rel").type).toBe("symbolic link");
    expect(contents.trim().split("\n").at(-1)).toBe("../a.txt");
    expect(st("/copied-dir/h1").links).toBe(2);
    expect(st("/copied-dir/h2").links).toBe(2);
  });

  it("a symlink named as a source is followed", () => {
    expect(st("/link-followed").type).toBe("regular file");
    expect(st("/linkdir/link").type).toBe("regular file");
  });

  it("wildcards match per segment, also in directory parts; several sources go into a dir", () => {
    for (const p of ["/multi/a.txt", "/multi/z.txt", "/multi/b.md"]) expect(st(p).type).toBe("regular file");
    missing("/multi/secret.txt");
    expect(contents.startsWith("two\n")).toBe(true); // src/one/x.txt then src/two/x.txt: the last wins
  });

  it("--parents keeps parent directories after the /./ pivot, ** crossing levels", () => {
    expect(st("/parents1/y/a.txt").type).toBe("regular file");
    expect(st("/parents1/y/b.txt").type).toBe("regular file");
    missing("/parents1/y/c.md");
    missing("/parents1/x");
    for (const p of ["/parents2/tree/a.txt", "/parents2/tree/k/b.txt", "/parents2/tree/k/l/c.txt"]) expect(st(p).type).toBe("regular file");
    missing("/parents2/tree/k/l/d.md");
  });

  it("--exclude drops matching paths below the source", () => {
    expect(st("/excluded/keep.txt").type).toBe("regular file");
    expect(st("/excluded/sub/keep.txt").type).toBe("regular file");
    missing("/excluded/drop.log");
    missing("/excluded/sub/drop.log");
  });

  it(".dockerignore: comments, leading /, **, and ! exceptions inside an ignored directory", () => {
    expect(st("/all/a.txt").type).toBe("regular file");
    expect(st("/all/Dockerfile").type).toBe("regular file");
    expect(st("/all/.dockerignore").type).toBe("regular file");
    missing("/all/secret.txt");
    missing("/all/logs");
    expect(st("/all/deep/a/ok.txt").type).toBe("regular file");
    missing("/all/deep/a/b.tmp");
    expect(st("/all/cache/keep.me").type).toBe("regular file");
    missing("/all/cache/drop.txt");
  });

  it("--chmod: octal, and symbolic (u+x,g-r,o= and u=rwX,go=rX on files and directories)", () => {
    expect(st("/chmod-octal").mode).toBe("640");
    expect(st("/chmod-sym").mode).toBe("720");
    expect(st("/chmod-dir/mode700").mode).toBe("755");
    expect(st("/chmod-dir/sub/s.txt").mode).toBe("644");
    expect(st("/chmod-dir/run.sh").mode).toBe("755");
  });

  it("--chown: a name takes the user's primary group; user:group by name; a number alone sets gid = uid", () => {
    expect(st("/chown-name/s.txt").owner).toBe("1234:1500");
    expect(st("/chown-name").owner).toBe("1234:1500"); // created destination dirs too
    expect(st("/chown-both").owner).toBe("1234:1600");
    expect(st("/chown-num").owner).toBe("42:42");
  });

  it("sources stay inside the context and destinations inside the rootfs", () => {
    expect(st("/climb").type).toBe("regular file");
    expect(st(`${escapeDir}/a.txt`).type).toBe("regular file");
    expect(existsSync(escapeDir)).toBe(false);
  });

  it("heredocs become files (0644) named by the heredoc or by dest", () => {
    expect(st("/heredoc/EOF")).toMatchObject({ mode: "644", owner: "0:0" });
    expect(st("/heredoc-file").type).toBe("regular file");
    expect(contents).toContain("hello heredoc\ninline file\n");
  });

  it("fails clearly: missing or ignored sources, several sources to a non-directory, a directory onto a file, a URL for COPY", () => {
    const cases: [string, string][] = [
      ["COPY missing.txt /x", 'COPY failed: "missing.txt": not found in the build context or excluded by .dockerignore'],
      ["COPY secret.txt /x", 'COPY failed: "secret.txt": not found in the build context or excluded by .dockerignore'],
      ["COPY a.txt b.md /notdir", "When using COPY with more than one source file, the destination must be a directory and end with a /"],
      ["COPY *.txt /notdir", "When using COPY with more than one source file, the destination must be a directory and end with a /"],
      ["COPY dir /etc/passwd", "cannot copy to non-directory: /etc/passwd"],
      ["COPY http://127.0.0.1:1/x /x", "source can't be a URL for COPY"],
      ["COPY --chown=nobody-here a.txt /x", "unable to find user nobody-here"],
    ];
    for (const [line, message] of cases) {
      const df = join(ctx, "Dockerfile.bad");
      writeFileSync(df, `FROM busybox:latest\n${line}\n`);
      const r = strata(root, ["build", "-f", df, ctx]);
      expect(r.code, line).not.toBe(0);
      expect(r.stderr, line).toContain(message);
    }
  });
});
