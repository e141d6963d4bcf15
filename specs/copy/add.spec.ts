import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { makeTar, parseStats, statScript, strataAsync } from "./helpers.ts";

const compress = (cmd: string, data: Buffer): Buffer => spawnSync(cmd, ["-c"], { input: data, maxBuffer: 1 << 26 }).stdout;
const LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

/** ADD: local archives extracted (by content), remote files fetched from a server on 127.0.0.1, archives that try to escape refused. */
describe("ADD", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  const tar = makeTar([
    { name: "top.txt", content: "top\n", mode: 0o640, uid: 1000, gid: 1000 },
    { name: "d/", type: "dir" },
    { name: "d/inner.txt", content: "inner\n" },
    { name: "d/ln", type: "symlink", linkname: "inner.txt" },
  ]);
  const served: Record<string, Buffer> = { "/dl/file.txt": Buffer.from("remote\n"), "/dl/a.tar.gz": gzipSync(tar) };
  const fileDigest = `sha256:${createHash("sha256").update(served["/dl/file.txt"] as Buffer).digest("hex")}`;
  let stats: ReturnType<typeof parseStats>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      // 200 kB, with its length declared, or sent in chunks of unknown total.
      if (req.url === "/big/declared") return void res.writeHead(200, { "Content-Length": 200_000 }).end(Buffer.alloc(200_000, 7));
      if (req.url === "/big/chunked") {
        res.writeHead(200);
        for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000, 7));
        return void res.end();
      }
      const body = served[req.url ?? ""];
      hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Last-Modified": LAST_MODIFIED, "Content-Length": body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ({ root, cleanup } = storeWithBusybox("copy-add"));
    ctx = tempDir("copy-add");
    writeFileSync(join(ctx, "plain.tar"), tar);
    writeFileSync(join(ctx, "a.tar.gz"), gzipSync(tar));
    writeFileSync(join(ctx, "a.tar.bz2"), compress("bzip2", tar));
    writeFileSync(join(ctx, "a.tar.xz"), compress("xz", tar));
    writeFileSync(join(ctx, "a.tar.zst"), zstdCompressSync(tar));
    writeFileSync(join(ctx, "really-gz.bin"), gzipSync(tar));
    writeFileSync(join(ctx, "notar.tar.gz"), gzipSync(Buffer.from("just text\n")));
    writeFileSync(join(ctx, "empty.tar.gz"), "");
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM busybox:latest",
        `RUN echo "app:x:1234:1500::/home/app:/bin/sh" >> /etc/passwd && mkdir -p /into && echo old > /into/old.txt`,
        "ADD plain.tar /t-plain",
        "ADD a.tar.gz /t-gz/",
        "ADD a.tar.bz2 /t-bz2",
        "ADD a.tar.xz /t-xz",
        "ADD a.tar.zst /t-zst",
        "ADD really-gz.bin /t-bin",
        "ADD notar.tar.gz empty.tar.gz /files/",
        "ADD --unpack=false plain.tar /packed/",
        "ADD plain.tar /into/",
        "ADD --chown=app a.tar.gz /t-chown",
        `ADD ${base}/dl/file.txt /url/`,
        `ADD ${base}/dl/file.txt /url-named`,
        `ADD --checksum=${fileDigest} ${base}/dl/file.txt /url-sum/`,
        `ADD --unpack=true ${base}/dl/a.tar.gz /url-unpack/`,
        `ADD ${base}/dl/a.tar.gz /url-packed/`,
        "",
      ].join("\n"),
    );
    const b = await strataAsync(root, ["build", "-t", "copy:add", ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
    const paths = [
      ...["/t-plain", "/t-gz", "/t-bz2", "/t-xz", "/t-zst", "/t-bin"].flatMap((d) => [`${d}/top.txt`, `${d}/d/inner.txt`, `${d}/d/ln`]),
      "/files/notar.tar.gz",
      "/files/empty.tar.gz",
      "/packed/plain.tar",
      "/into/old.txt",
      "/into/top.txt",
      "/t-chown/top.txt",
      "/t-chown/d/inner.txt",
      "/url/file.txt",
      "/url-named",
      "/url-sum/file.txt",
      "/url-unpack/top.txt",
      "/url-packed/a.tar.gz",
    ];
    const r = strata(root, ["run", "--rm", "copy:add", "sh", "-c", statScript(paths)]);
    if (r.code !== 0) throw new Error(r.stderr);
    stats = parseStats(r.stdout);
  });
  afterAll(async () => {
    cleanup();
    await new Promise((resolve) => server.close(resolve));
  });

  const st = (p: string) => {
    const v = stats.get(p);
    if (v === undefined || v === "missing") throw new Error(`${p} is missing`);
    return v;
  };

  it("extracts local tar, tar.gz, tar.bz2, tar.xz and tar.zst archives, told by content not name", () => {
    for (const d of ["/t-plain", "/t-gz", "/t-bz2", "/t-xz", "/t-zst", "/t-bin"]) {
      expect(st(`${d}/top.txt`), d).toMatchObject({ type: "regular file", mode: "640", owner: "1000:1000", mtime: 1_234_567_890 });
      expect(st(`${d}/d/inner.txt`).type).toBe("regular file");
      expect(st(`${d}/d/ln`).type).toBe("symbolic link");
    }
  });

  it("copies what is not a tar as a file, and keeps archives packed with --unpack=false", () => {
    expect(st("/files/notar.tar.gz").type).toBe("regular file");
    expect(st("/files/empty.tar.gz").type).toBe("regular empty file");
    expect(st("/packed/plain.tar").type).toBe("regular file");
  });

  it("extraction merges with what the destination holds; --chown applies to extracted files", () => {
    expect(st("/into/old.txt").type).toBe("regular file");
    expect(st("/into/top.txt").type).toBe("regular file");
    expect(st("/t-chown/top.txt").owner).toBe("1234:1500");
    expect(st("/t-chown/d/inner.txt").owner).toBe("1234:1500");
  });

  it("a URL is downloaded once per build, named by its path or by dest, mode 0600, mtime from Last-Modified", () => {
    const mtime = Date.parse(LAST_MODIFIED) / 1000;
    expect(st("/url/file.txt")).toMatchObject({ mode: "600", owner: "0:0", mtime });
    expect(st("/url-named")).toMatchObject({ mode: "600", mtime });
    expect(st("/url-sum/file.txt").mode).toBe("600");
    expect(hits.get("/dl/file.txt")).toBe(1);
  });

  it("a remote archive stays packed unless --unpack=true", () => {
    expect(st("/url-unpack/top.txt").type).toBe("regular file");
    expect(st("/url-packed/a.tar.gz").type).toBe("regular file");
  });

  it("a checksum mismatch fails naming the URL and both digests", async () => {
    const wrong = `sha256:${"0".repeat(64)}`;
    const df = join(ctx, "Dockerfile.sum");
    writeFileSync(df, `FROM busybox:latest\nADD --checksum=${wrong} ${base}/dl/file.txt /x\n`);
    const r = await strataAsync(root, ["build", "-f", df, ctx]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${base}/dl/file.txt: checksum mismatch: expected ${wrong}, got ${fileDigest}`);
  });

  it("a download is bounded as a layer is: a Content-Length over STRATA_MAX_LAYER_BYTES is refused unread, a body growing past it is cut off", async () => {
    const df = join(ctx, "Dockerfile.big");
    for (const path of ["/big/declared", "/big/chunked"]) {
      writeFileSync(df, `FROM busybox:latest\nADD ${base}${path} /big\n`);
      const r = await strataAsync(root, ["build", "-f", df, ctx], { env: { STRATA_MAX_LAYER_BYTES: "100000" } });
      expect(r.code, `${path}: ${r.stderr}`).toBe(1);
      expect(r.stderr, path).toContain(`${base}${path}: `);
      expect(r.stderr, path).toContain("over the limit of bytes per layer (uncompressed) (STRATA_MAX_LAYER_BYTES=100000)");
    }
    // Under the limit, the same file is fine.
    writeFileSync(df, `FROM busybox:latest\nADD ${base}/big/declared /big\n`);
    expect((await strataAsync(root, ["build", "-f", df, ctx], { env: { STRATA_MAX_LAYER_BYTES: "300000" } })).code).toBe(0);
  });

  it("a missing URL and git sources fail clearly", async () => {
    const cases: [string, string][] = [
      [`ADD ${base}/dl/nope /x`, `ADD failed: ${base}/dl/nope: invalid response status 404`],
      ["ADD https://example.invalid/repo.git /src", "git sources are not supported here: no network to git hosts"],
      ["ADD git@example.invalid:repo.git /src", "git sources are not supported here: no network to git hosts"],
      ["ADD --keep-git-dir=true https://example.invalid/repo.git#main /src", "not supported here: no network to git hosts"],
    ];
    for (const [line, message] of cases) {
      const df = join(ctx, "Dockerfile.bad");
      writeFileSync(df, `FROM busybox:latest\n${line}\n`);
      const r = await strataAsync(root, ["build", "-f", df, ctx]);
      expect(r.code, line).not.toBe(0);
      expect(r.stderr, line).toContain(message);
    }
  });

  it("refuses archives whose entries escape, naming the entry, and writes nothing outside", () => {
    const marker = `strata-evil-${process.pid}`;
    const cases: [string, Buffer, string][] = [
      ["dotdot", makeTar([{ name: `../../../../../../tmp/${marker}-dotdot`, content: "x" }]), `${marker}-dotdot`],
      ["absolute", makeTar([{ name: `/tmp/${marker}-abs`, content: "x" }]), `/tmp/${marker}-abs`],
      ["hardlink", makeTar([{ name: "hl", type: "link", linkname: "../../../../../etc/hostname" }]), "hl"],
    ];
    spawnSync("mkdir", ["-p", `/tmp/${marker}-dir`]);
    for (const [name, data, entry] of cases) {
      writeFileSync(join(ctx, `${name}.tar`), data);
      const df = join(ctx, "Dockerfile.evil");
      writeFileSync(df, `FROM busybox:latest\nADD ${name}.tar /x/\n`);
      const r = strata(root, ["build", "-f", df, ctx]);
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain(`ADD failed: "${name}.tar": refusing archive`);
      expect(r.stderr, name).toContain(entry);
    }
    expect(existsSync(`/tmp/${marker}-dotdot`)).toBe(false);
    expect(existsSync(`/tmp/${marker}-abs`)).toBe(false);
    // An absolute symlink means the archive's own root, as in the container: the file lands inside.
    writeFileSync(
      join(ctx, "symlink.tar"),
      makeTar([
        { name: "ln", type: "symlink", linkname: `/tmp/${marker}-dir` },
        { name: "ln/pwn.txt", content: "x" },
      ]),
    );
    const df = join(ctx, "Dockerfile.evil");
    writeFileSync(df, `FROM busybox:latest\nADD symlink.tar /x/\nRUN cat /x/tmp/${marker}-dir/pwn.txt && test -L /x/ln\n`);
    const r = strata(root, ["build", "-f", df, ctx]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(`/tmp/${marker}-dir/pwn.txt`)).toBe(false);
    spawnSync("rm", ["-rf", `/tmp/${marker}-dir`]);
  });
});
