import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { flattenedTree } from "../helpers/tree.ts";

/**
 * Merging RUN layers costs no cache hit (issue 14): every RUN runs alone
 * (its own container, PID 1 its shell) and is cached alone; only the image's
 * layers are combined. Merged and unmerged builds give the same files and
 * config; the merged layer is reproducible.
 */

function manifest(root: string, ref: string): { layers: { digest: string }[]; config: { digest: string } } {
  const r = spawnSync("skopeo", ["inspect", "--raw", `oci:${root}:${ref}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function imageConfig(root: string, ref: string): { config: unknown; history: { created_by?: string; empty_layer?: boolean; comment?: string }[] } {
  const r = spawnSync("skopeo", ["inspect", "--config", `oci:${root}:${ref}`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function tarNames(root: string, digest: string): string[] {
  const t = spawnSync("tar", ["-tf", join(root, "blobs/sha256", digest.replace("sha256:", ""))], { encoding: "utf8" });
  return t.stdout.trim().split("\n");
}

/** Adjacent RUNs whose per-step diffs interact: deletes, replacements, hardlinks, shell state, PIDs. */
const BATTERY = [
  "FROM busybox:latest",
  "RUN true",
  "RUN kill -TERM $$; echo survived > /sigterm.txt",
  "RUN echo $$ > /pid.txt && grep PPid /proc/$$/status > /ppid.txt",
  "RUN mkdir -p /work && cd /work && export LEAK=yes && umask 077 && echo a > /h1 && ln /h1 /h2 && ln /h1 /h3 && echo x > /fd",
  'RUN pwd > /pwd.txt && echo "LEAK=[$LEAK]" > /leak.txt && touch /umask.txt && echo b > /h1',
  "RUN rm /fd && mkdir /fd && echo y > /fd/y && touch /tmp/scratch && rm /bin/ed",
  "RUN rm /tmp/scratch && mkdir -p /d/e && echo f > /d/e/f && chmod 4755 /d/e/f",
  "RUN rm -rf /d/e && echo g > /d/g && ln -s /pwd.txt /link",
  'SHELL ["/bin/sh", "-o", "pipefail", "-c"]',
  "RUN echo one | cat > /p1",
  "RUN echo two | cat > /p2",
  "",
].join("\n");

describe("RUN merging with per-step cache", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("merge-cache"));
    ctx = tempDir("merge-cache-ctx");
    writeFileSync(join(ctx, "Dockerfile"), BATTERY);
    const merged = strata(root, ["build", "-t", "mc:merged", ctx]);
    if (merged.code !== 0) throw new Error(merged.stderr);
    const separate = strata(root, ["build", "--no-merge", "-t", "mc:separate", ctx]);
    if (separate.code !== 0) throw new Error(separate.stderr);
  });
  afterAll(() => cleanup());

  it("gives the merged image the same files and config as the unmerged one, in fewer layers", () => {
    // The base, the first group of 8 RUNs, the pipefail group of 2.
    expect(manifest(root, "mc:merged").layers.length).toBe(3);
    expect(manifest(root, "mc:separate").layers.length).toBe(10);
    const a = flattenedTree(root, "mc:merged");
    const b = flattenedTree(root, "mc:separate");
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, entry] of a) expect({ path, ...entry }).toEqual({ path, ...b.get(path) });
    expect(imageConfig(root, "mc:merged").config).toEqual(imageConfig(root, "mc:separate").config);
  });

  it("runs each RUN as PID 1 of its own container, as docker does", () => {
    const r = strata(root, ["run", "--rm", "mc:merged", "cat", "/sigterm.txt", "/pid.txt", "/ppid.txt", "/pwd.txt", "/leak.txt", "/h1", "/h2", "/fd/y", "/p1", "/p2"]);
    expect(r.stdout).toBe("survived\n1\nPPid:\t0\n/\nLEAK=[]\nb\na\ny\none\ntwo\n");
    // /h1 was rewritten after /h2 and /h3 linked to it: they keep the old bytes, still linked to each other.
    for (const ref of ["mc:merged", "mc:separate"]) {
      const links = strata(root, ["run", "--rm", ref, "sh", "-c", "cat /h2 /h3; [ /h2 -ef /h3 ] && echo same; [ /h1 -ef /h2 ] || echo apart"]);
      expect(links.stdout).toBe("a\na\nsame\napart\n");
    }
    const umask = strata(root, ["run", "--rm", "mc:merged", "stat", "-c", "%a", "/umask.txt", "/bin/ed"]);
    expect(umask.stdout).toContain("644\n");
    expect(umask.stdout).not.toContain("ed");
  });

  it("writes the merged layer as one diff: a whiteout only for what the base had, the first RUN's entries first", () => {
    const layers = manifest(root, "mc:merged").layers;
    const names = tarNames(root, (layers[1] as { digest: string }).digest);
    expect(names).toContain("bin/.wh.ed");
    expect(names.some((n) => n.includes(".wh.scratch"))).toBe(false);
    expect(names.filter((n) => n === "h1").length).toBe(1);
    expect(names).toContain("d/g");
    expect(names.some((n) => n.startsWith("d/e"))).toBe(false);
    // The first-layer form (nothing later deletes what the first RUN that made a layer wrote): its entries as stored, then the rest in name order.
    expect(names[0]).toBe("sigterm.txt");
    const rest = names.slice(1);
    expect([...rest].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(rest);
  });

  it("keeps one history entry per instruction, one non-empty per layer, each RUN with its own bytes", () => {
    const h = imageConfig(root, "mc:merged").history;
    const own = h.slice(1);
    expect(own.length).toBe(11);
    expect(own.filter((e) => !e.empty_layer).length).toBe(2);
    expect(own.filter((e) => e.comment?.startsWith("strata:merged ")).length).toBe(10);
    const table = strata(root, ["history", "mc:merged"]);
    expect(table.stdout).toMatch(/RUN \/bin\/sh -c true.*0B\s+shares one layer: 1 of 8/);
    expect(table.stdout).toMatch(/rm -rf \/d\/e.*shares one layer: 8 of 8, [\d.]+kB in all/);
  });

  it("after an edit of a group's last RUN, runs only that RUN", () => {
    const dir = tempDir("merge-cache-edit");
    writeFileSync(join(dir, "Dockerfile"), BATTERY);
    const warm = strata(root, ["build", "--progress", "plain", "-t", "mc:warm", dir]);
    expect(warm.code, warm.stderr).toBe(0);
    expect(`${warm.stdout}${warm.stderr}`).toContain("0 steps run, 10 cached");
    expect(manifest(root, "mc:warm")).toEqual(manifest(root, "mc:merged"));
    writeFileSync(join(dir, "Dockerfile"), BATTERY.replace("ln -s /pwd.txt /link", "ln -s /pwd.txt /link2"));
    const edited = strata(root, ["build", "--progress", "plain", "-t", "mc:edited", dir]);
    const out = `${edited.stdout}${edited.stderr}`;
    expect(edited.code, out).toBe(0);
    expect(out).toContain("3 steps run, 7 cached");
    expect(out).toMatch(/RUN kill -TERM \$\$.*\n#\d+ CACHED/);
    expect(strata(root, ["run", "--rm", "mc:edited", "readlink", "/link2"]).stdout).toBe("/pwd.txt\n");
  });

  it("reuses the merged layer of a warm build and writes it byte for byte again under SOURCE_DATE_EPOCH", () => {
    const cacheRecords = readdirSync(join(root, "cache")).length;
    const again = strata(root, ["build", "-t", "mc:again", ctx]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(join(root, "cache")).length).toBe(cacheRecords);
    const env = { SOURCE_DATE_EPOCH: "1700000000" };
    const x = strata(root, ["build", "--no-cache", "-t", "mc:x", ctx], { env });
    expect(x.code, x.stderr).toBe(0);
    const y = strata(root, ["build", "--no-cache", "-t", "mc:y", ctx], { env });
    expect(y.code, y.stderr).toBe(0);
    const lx = manifest(root, "mc:x").layers;
    expect(lx.length).toBe(3);
    expect(lx).toEqual(manifest(root, "mc:y").layers);
    expect(manifest(root, "mc:x").config.digest).toBe(manifest(root, "mc:y").config.digest);
  });
});
