/**
 * The battery's large-layer case (RELIABILITY.md case 44): one RUN makes a layer of 100,000
 * files, paths over 255 bytes and a 10 GiB sparse file. The build stays within its budgets,
 * measured here on CI's 2 shared cores: under 240 s and 512 MiB of RSS (measured: 23–53 s and
 * ~300 MB, the spread being the other jobs on the machine). The layer's entries are in byte
 * order, its 10 GiB blob takes little disk (a batch of zeros is left as a hole,
 * store/content-writer.ts), the limits accept it at their defaults (runtime/layer/limits.ts),
 * a container sees the files, and `verify` (which re-hashes the 10 GiB) is clean.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TarReader } from "../../runtime/layer/tar-reader.ts";
import { repoRoot, strata } from "../helpers/strata.ts";
import { strataMeasured } from "./measure.ts";
import { type Arena, arena, expectClean } from "./oracle.ts";
import { diskUsage } from "./store-state.ts";

const GiB = 2 ** 30;
const A = "a".repeat(200);
const B = "b".repeat(200);
const C = "c".repeat(200);

const DOCKERFILE = `FROM busybox:latest
RUN truncate -s 10G /sparse && mkdir /many && cd /many && seq 1 100000 | xargs touch && mkdir -p /long/${A}/${B} && echo x > /long/${A}/${B}/${C}
`;

let a: Arena | undefined;
afterAll(() => a?.cleanup());

describe("reliability: a large layer", () => {
  it("case 44: 100k files, paths over 255 bytes and a 10 GiB sparse file, within time and RSS budgets, entries sorted", async () => {
    a = arena("large", {
      own: ["ctx"],
      setup: ({ dir, root, own }) => {
        const tar = join(dir, "ctx", "busybox.tar");
        const mk = spawnSync("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), tar], { encoding: "utf8" });
        expect(mk.status, mk.stderr).toBe(0);
        expect(strata(root, ["import", tar, "busybox:latest"]).code).toBe(0);
        writeFileSync(join(own.ctx as string, "Dockerfile"), DOCKERFILE);
        writeFileSync(join(own.ctx as string, ".dockerignore"), "busybox.tar\n");
      },
    });
    const x = a;
    const r = strataMeasured(x.root, ["build", "--progress", "plain", "-t", "large:1", x.own.ctx as string]);
    expect(r.code, r.stderr).toBe(0);
    console.log(`case 44: build ${r.seconds.toFixed(1)} s, peak RSS ${(r.rssBytes / 2 ** 20).toFixed(0)} MiB`);
    expect(r.seconds).toBeLessThan(240);
    expect(r.rssBytes).toBeLessThan(512 * 2 ** 20);

    // The layer: the one blob over 10 GiB.
    const blobs = join(x.root, "blobs", "sha256");
    const layer = readdirSync(blobs).find((h) => statSync(join(blobs, h)).size > 10 * GiB) as string;
    expect(layer).toBeDefined();
    expect(diskUsage(x.root)).toBeLessThan(1 * GiB);

    const fh = await open(join(blobs, layer));
    const names: Buffer[] = [];
    const sizes = new Map<string, number>();
    try {
      const reader = TarReader.ofFile(fh);
      for (let e = await reader.next(); e !== null; e = await reader.next()) {
        names.push(Buffer.from(e.type === "dir" && !e.name.endsWith("/") ? `${e.name}/` : e.name));
        sizes.set(e.name, e.size);
      }
    } finally {
      await fh.close();
    }
    const files = [...sizes.keys()].filter((n) => n.startsWith("many/") && n !== "many/");
    expect(files).toHaveLength(100_000);
    expect(sizes.get("sparse")).toBe(10 * GiB);
    const long = `long/${A}/${B}/${C}`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(255);
    expect(sizes.get(long)).toBe(2);
    for (let i = 1; i < names.length; i++) expect(Buffer.compare(names[i - 1] as Buffer, names[i] as Buffer), `entry ${i}`).toBeLessThan(0);

    const run = strata(x.root, ["run", "--rm", "large:1", "sh", "-c", `stat -c %s /sparse; ls /many | wc -l; cat /long/${A}/${B}/${C}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split(/\s+/).filter(Boolean)).toEqual([String(10 * GiB), "100000", "x"]);
    expectClean(x);
  }, 600_000);
});
