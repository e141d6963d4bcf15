import { chmodSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, tempDir } from "../helpers/strata.ts";
import { strataAsync, writeTree } from "./helpers.ts";

/** The COPY/ADD cache key follows what is copied: content, modes, paths — not mtimes, ignored or excluded files. */
describe("COPY/ADD cache keys", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  let server: Server;
  let body = "v1\n";
  let n = 0;

  const build = async (): Promise<string[]> => {
    const r = await strataAsync(root, ["build", "-t", `cache:${++n}`, ctx]);
    if (r.code !== 0) throw new Error(r.stderr);
    const labels = new Map<string, string>();
    const states: string[] = [];
    for (const line of r.stderr.split("\n")) {
      const start = /^#(\d+) \[[^\]]+\] (.*)$/.exec(line);
      if (start) labels.set(start[1] as string, start[2] as string);
      const end = /^#(\d+) (CACHED|DONE .*)$/.exec(line);
      const label = end ? (labels.get(end[1] as string) ?? "") : "";
      if (end && !label.startsWith("FROM")) states.push(`${label.split(" ")[0]} ${end[2] === "CACHED" ? "cached" : "ran"}`);
    }
    return states;
  };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.txt`;
    ({ root, cleanup } = storeWithBusybox("copy-cache"));
    ctx = tempDir("copy-cache");
    writeTree(ctx, { "src/a.txt": "a\n", "src/b.log": "log\n", "src/ignored.tmp": "t\n", ".dockerignore": "**/*.tmp\n" });
    writeFileSync(join(ctx, "Dockerfile"), `FROM busybox:latest\nCOPY --exclude=*.log src /app/\nADD ${url} /remote/\n`);
  });
  afterAll(async () => {
    cleanup();
    await new Promise((resolve) => server.close(resolve));
  });

  it("hits after mtime-only, ignored and excluded changes; misses after content, mode and remote content changes", async () => {
    expect(await build()).toEqual(["COPY ran", "ADD ran"]);
    utimesSync(join(ctx, "src/a.txt"), 5, 5);
    writeFileSync(join(ctx, "src/ignored.tmp"), "changed\n");
    writeFileSync(join(ctx, "src/b.log"), "changed\n");
    expect(await build()).toEqual(["COPY cached", "ADD cached"]);
    chmodSync(join(ctx, "src/a.txt"), 0o600);
    expect(await build()).toEqual(["COPY ran", "ADD ran"]);
    writeFileSync(join(ctx, "src/a.txt"), "A\n");
    expect(await build()).toEqual(["COPY ran", "ADD ran"]);
    body = "v2\n";
    expect(await build()).toEqual(["COPY cached", "ADD ran"]);
  });
});
