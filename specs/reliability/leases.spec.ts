/**
 * The battery's concurrency cases (d) 39, 40 and load case 46, and issue 15's acceptance line:
 * gc and prune run beside builds in other processes and never take what those builds wrote or
 * use (runtime/store/leases.ts); two identical builds race cleanly; a thousand cached rebuilds
 * leave the store, the open files and the mounts where they were.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { build } from "../../runtime/engine/build.ts";
import { QuietProgress } from "../../runtime/engine/exec/progress.ts";
import { collectGarbage } from "../../runtime/store/gc.ts";
import { Store } from "../../runtime/store/store.ts";
import { strata, strataAsync } from "../helpers/strata.ts";
import { busyboxArena } from "./busybox.ts";
import { type Arena, expectClean } from "./oracle.ts";

/** An arena whose store has busybox:latest, and a context per build in `ctx`. */
function buildArena(tag: string, dockerfiles: readonly string[]): Arena {
  return busyboxArena(tag, {
    own: ["ctx"],
    setup: ({ own }) => {
      dockerfiles.forEach((text, i) => {
        const dir = join(own.ctx as string, String(i));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "Dockerfile"), text);
        writeFileSync(join(dir, "data"), randomBytes(64 << 10));
      });
    },
  });
}

const dockerfile = (n: number | string) => `FROM busybox:latest\nCOPY data /data\nRUN echo ${n} > /n && mkdir -p /var/n${n}\nRUN cat /n > /m\n`;

/** Calls `gc` every `everyMs` until the returned stop is awaited, which gives the count of collections or the first failure. */
function looping(gc: () => Promise<unknown>, everyMs: number): { stop(): Promise<number> } {
  let running = true;
  let n = 0;
  let failure: unknown;
  const loop = (async () => {
    while (running && failure === undefined) {
      await gc().then(
        () => n++,
        (e: unknown) => {
          failure = e;
        },
      );
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      if (failure !== undefined) throw failure;
      return n;
    },
  };
}

describe("leases: collections beside builds", () => {
  it("case 39: two identical builds (SOURCE_DATE_EPOCH) in separate processes both succeed with the same image, with no rename race", async () => {
    const a = buildArena("c39", [dockerfile("same")]);
    try {
      const ctx = join(a.own.ctx as string, "0");
      const [x, y] = await Promise.all(["one", "two"].map((t) => strataAsync(a.root, ["build", "-q", "-t", `same:${t}`, ctx], { env: { SOURCE_DATE_EPOCH: "1700000000" } })));
      expect([x?.code, y?.code], `${x?.stderr}\n${y?.stderr}`).toEqual([0, 0]);
      expect(x?.stdout.trim()).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(y?.stdout.trim()).toBe(x?.stdout.trim());
      expect(`${x?.stderr}${y?.stderr}`).not.toMatch(/file exists|EEXIST|ENOTEMPTY/i);
      // Each blob is there once, named by its bytes (verify re-hashes them all).
      expectClean(a);
    } finally {
      a.cleanup();
    }
  });

  it("case 40: two different builds while gc runs every 100 ms: nothing they use goes, unreferenced blobs do", async () => {
    const a = buildArena("c40", [dockerfile(1), dockerfile(2)]);
    try {
      const store = new Store(a.root);
      // An unreferenced blob, written by a process that has exited: nobody leases it.
      const stray = `sha256:${execFileSync("sh", ["-c", `head -c 4096 /dev/urandom | tee ${a.root}/tmp-stray | sha256sum`], { encoding: "utf8" }).slice(0, 64)}`;
      execFileSync("sh", ["-c", `mv ${a.root}/tmp-stray ${a.root}/blobs/sha256/${stray.slice(7)}`]);
      const gc = looping(() => collectGarbage(store, { buildCache: false, cacheMounts: false }), 100);
      const results = await Promise.all([0, 1].map((i) => strataAsync(a.root, ["build", "-q", "-t", `diff:${i}`, join(a.own.ctx as string, String(i))])));
      const collections = await gc.stop();
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect(collections).toBeGreaterThan(3);
      expect(await store.content.has(stray)).toBe(false);
      for (const i of [0, 1]) expect(strata(a.root, ["run", "--rm", `diff:${i}`, "cat", "/m"]).stdout.trim()).toBe(String(i + 1));
      expectClean(a);
    } finally {
      a.cleanup();
    }
  });

  it("case 40 (acceptance): system prune looping during 20 concurrent builds loses nothing, and verify is clean after", async () => {
    const n = 20;
    const a = buildArena("accept", Array.from({ length: n }, (_, i) => dockerfile(i)));
    try {
      const prunes = looping(
        () =>
          strataAsync(a.root, ["system", "prune", "-f"]).then((r) => {
            if (r.code !== 0) throw new Error(`system prune exited ${r.code}: ${r.stderr}`);
          }),
        0,
      );
      const results = await Promise.all(Array.from({ length: n }, (_, i) => strataAsync(a.root, ["build", "-q", "-t", `many:${i}`, join(a.own.ctx as string, String(i))])));
      const pruned = await prunes.stop();
      for (const [i, r] of results.entries()) expect(r.code, `build ${i}: ${r.stderr}`).toBe(0);
      expect(pruned).toBeGreaterThan(2);
      const listed = strata(a.root, ["images"]).stdout;
      for (let i = 0; i < n; i++) expect(listed).toMatch(new RegExp(`many\\s+${i}\\s`));
      expectClean(a);
      // Every image still mounts: its layers and their short links survived.
      for (const i of [0, n - 1]) expect(strata(a.root, ["run", "--rm", `many:${i}`, "cat", "/m"]).stdout.trim()).toBe(String(i));
    } finally {
      a.cleanup();
    }
  });

  it("a lease left by a killed process expires: the next collection takes what only it named", async () => {
    const a = buildArena("expire", []);
    try {
      const store = new Store(a.root);
      const blob = await store.content.putBytes(randomBytes(1000));
      // A lease file of a process that no longer exists (pid 2^22 + 1 is above any pid_max).
      writeFileSync(join(a.root, "leases", `4194305.1-dead`), `${blob.digest}\n`);
      // This process's own lease does not keep it from its own collection.
      await collectGarbage(store, { buildCache: false, cacheMounts: false });
      expect(await store.content.has(blob.digest)).toBe(false);
      expect(readdirSync(join(a.root, "leases"))).not.toContain("4194305.1-dead");
      expectClean(a);
    } finally {
      a.cleanup();
    }
  });

  it("verify names an unpacked layer that lost its short link, and the next mount makes the link again", () => {
    const a = buildArena("links", []);
    try {
      const links = join(a.root, "snapshots", "l");
      const [link] = readdirSync(links);
      rmSync(join(links, link as string));
      const v = strata(a.root, ["system", "verify"]);
      expect(v.code).toBe(3);
      expect(v.stdout).toContain(`has no short link (snapshots/l/${link})`);
      expect(strata(a.root, ["run", "--rm", "busybox:latest", "true"]).code).toBe(0);
      expectClean(a);
    } finally {
      a.cleanup();
    }
  });

  it("case 46: 1,000 cached rebuilds keep the store, open files and mounts flat after gc", async () => {
    const a = buildArena("c46", [dockerfile("cached")]);
    try {
      const store = new Store(a.root);
      const ctx = join(a.own.ctx as string, "0");
      const once = () =>
        build({
          store,
          path: ctx,
          buildArgs: {},
          merge: true,
          registry: { insecure: [] },
          tags: ["cached:latest"],
          noCache: false,
          secrets: new Map(),
          cacheFrom: [],
          progress: new QuietProgress(),
        });
      const first = await once();
      expect(first.kind).toBe("built");
      const fds = () => readdirSync("/proc/self/fd").length;
      const mounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(a.root)).length;
      const du = () => Number(execFileSync("du", ["-sb", a.root], { encoding: "utf8" }).split("\t")[0]);
      for (let i = 0; i < 20; i++) await once();
      const before = { fds: fds(), mounts: mounts() };
      await collectGarbage(store, { buildCache: false, cacheMounts: false });
      const size = du();
      for (let i = 0; i < 1000; i++) {
        const r = await once();
        if (r.kind !== "built" || r.executed !== 0) throw new Error(`rebuild ${i}: ${r.kind}${r.kind === "built" ? `, ${r.executed} steps run` : ""}`);
      }
      await collectGarbage(store, { buildCache: false, cacheMounts: false });
      expect({ fds: fds(), mounts: mounts() }).toEqual(before);
      // Build records and compiled graphs are rewritten, not added: a few KiB of slack.
      expect(du() - size).toBeLessThan(64 << 10);
      expectClean(a);
    } finally {
      a.cleanup();
    }
  }, 300_000);
});
