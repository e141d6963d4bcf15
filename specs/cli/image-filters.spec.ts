/**
 * `images [REPO[:TAG]] -f …`, `image prune` and `system prune`, replayed as scripts run them and
 * checked against docker's documented behaviour and source:
 * - docker/cli cli/command/image/list.go (the REPO[:TAG] argument becomes a reference filter),
 *   formatter/image.go (a row per name, one `<none> <none>` row for a dangling image, -q one ID
 *   per row), moby daemon/images/images.go (dangling, label, before, since, until, reference with
 *   reference.FamiliarMatch, "invalid filter 'NAME'", "invalid filter 'dangling=[V]'"),
 *   docker/cli opts/filter ("bad format of filter (expected name=value)").
 * - docker/cli cli/command/image/prune.go and system/prune.go: the warnings, " [y/N] ", a line read
 *   from stdin whatever it is, cancelled = nothing removed and exit 0; "Deleted Images:" with
 *   "untagged: NAME" / "deleted: ID", a blank line, "Total reclaimed space: SIZE" (units.HumanSize).
 * Images are loaded from OCI archives written here, with the created times and labels they need.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLayeredArchive } from "../helpers/oci-archive.ts";
import { storeWithBusybox, strata, strataAsync, tempDir } from "../helpers/strata.ts";

interface Row {
  Repository: string;
  Tag: string;
  ID: string;
}

function load(root: string, dir: string, file: string, name: string, layers: number, created: string, labels?: Record<string, string>): void {
  const path = join(dir, file);
  writeLayeredArchive(path, name, layers, "linux/amd64", { created, ...(labels && { labels }) });
  const r = strata(root, ["load", "-i", path]);
  if (r.code !== 0) throw new Error(r.stderr);
}

function setup(prefix: string): { root: string; ids: Record<string, string>; done: () => void } {
  const root = tempDir(`${prefix}-root`);
  const dir = tempDir(`${prefix}-archives`);
  load(root, dir, "a.tar", "app:1", 1, "2020-01-01T00:00:00Z", { tier: "web" });
  load(root, dir, "b.tar", "app:2", 2, "2021-01-01T00:00:00Z", { tier: "db" });
  load(root, dir, "c.tar", "tools:latest", 3, "2022-01-01T00:00:00Z");
  load(root, dir, "d.tar", "", 1, "2019-01-01T00:00:00Z", { tier: "web" });
  strata(root, ["tag", "app:2", "other/app:2"]);
  const rows = strata(root, ["images", "--format", "json", "--no-trunc"]).stdout.trim().split("\n").map((l) => JSON.parse(l) as Row);
  const ids: Record<string, string> = {};
  for (const r of rows) ids[r.Repository === "<none>" ? "dangling" : `${r.Repository}:${r.Tag}`] = r.ID;
  rmSync(dir, { recursive: true, force: true });
  return { root, ids, done: () => rmSync(root, { recursive: true, force: true }) };
}

const short = (id: string | undefined) => (id ?? "").slice(7, 19);
/** REPOSITORY:TAG of each table row, in order. */
const names = (out: string) =>
  out
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/\s{3,}/).slice(0, 2).join(":"));

describe("images [REPO[:TAG]] and -f filters", () => {
  let root: string;
  let ids: Record<string, string>;
  let done: () => void;
  beforeAll(() => {
    ({ root, ids, done } = setup("filters"));
  });
  afterAll(() => done());

  it("lists a dangling image as <none> <none>, newest first, one row per name", () => {
    expect(names(strata(root, ["images"]).stdout)).toEqual(["tools:latest", "app:2", "other/app:2", "app:1", "<none>:<none>"]);
  });

  it("REPO matches every tag, REPO:TAG one; -q --no-trunc REPO:TAG prints the full ID", () => {
    expect(names(strata(root, ["images", "app"]).stdout)).toEqual(["app:2", "app:1"]);
    expect(names(strata(root, ["image", "ls", "app:1"]).stdout)).toEqual(["app:1"]);
    expect(strata(root, ["images", "-q", "--no-trunc", "app:1"]).stdout).toBe(`${ids["app:1"]}\n`);
    expect(strata(root, ["images", "nothing-here"]).stdout).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n$/);
  });

  it("dangling=true|false, with -q", () => {
    expect(strata(root, ["images", "-f", "dangling=true", "-q"]).stdout).toBe(`${short(ids.dangling)}\n`);
    // `docker images -a -q` (as in `docker rmi $(docker images -a -q)`): no intermediate images here, the same IDs.
    expect(strata(root, ["images", "-a", "-q"]).stdout).toBe(strata(root, ["images", "-q"]).stdout);
    expect(names(strata(root, ["images", "--filter", "dangling=false"]).stdout)).not.toContain("<none>:<none>");
  });

  it("reference= patterns (path.Match against NAME:TAG, then NAME), any of several", () => {
    expect(names(strata(root, ["images", "-f", "reference=*/app"]).stdout)).toEqual(["other/app:2"]);
    expect(names(strata(root, ["images", "-f", "reference=app:*"]).stdout)).toEqual(["app:2", "app:1"]);
    expect(names(strata(root, ["images", "-f", "reference=tools", "-f", "reference=app:1"]).stdout)).toEqual(["tools:latest", "app:1"]);
  });

  it("label=KEY and label=KEY=VALUE; -q prints one ID per row, as docker's", () => {
    expect(names(strata(root, ["images", "-f", "label=tier"]).stdout)).toEqual(["app:2", "other/app:2", "app:1", "<none>:<none>"]);
    expect(strata(root, ["images", "-f", "label=tier=db", "-q"]).stdout).toBe(`${short(ids["app:2"])}\n${short(ids["app:2"])}\n`);
  });

  it("before=, since= (an image) and until= (a time)", () => {
    expect(names(strata(root, ["images", "-f", "before=app:2"]).stdout)).toEqual(["app:1", "<none>:<none>"]);
    expect(names(strata(root, ["images", "-f", `since=${short(ids["app:1"])}`]).stdout)).toEqual(["tools:latest", "app:2", "other/app:2"]);
    expect(names(strata(root, ["images", "-f", "until=2020-06-01T00:00:00Z"]).stdout)).toEqual(["app:1", "<none>:<none>"]);
    expect(strata(root, ["images", "-f", "before=nope:1"])).toMatchObject({ code: 1, stderr: expect.stringMatching(/No such image: nope:1/) });
  });

  it("--digests adds the DIGEST column: <none> for an image no registry gave a digest (specs/registry/repo-digests.spec.ts has pushed ones)", () => {
    const out = strata(root, ["images", "--digests", "tools"]).stdout.split("\n");
    expect(out[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(out[1]).toMatch(/^tools\s+latest\s+<none>\s+[a-f0-9]{12}\s/);
  });

  it("refuses an unknown filter, a bad value and a bad format, in docker's words", () => {
    expect(strata(root, ["images", "-f", "foo=bar"])).toMatchObject({ code: 1, stdout: "", stderr: "strata: error[FILTER_INVALID]: invalid filter 'foo'\n" });
    expect(strata(root, ["images", "-f", "dangling=maybe"]).stderr).toBe("strata: error[FILTER_INVALID]: invalid filter 'dangling=[maybe]'\n");
    const bad = strata(root, ["images", "-f", "dangling"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid argument "dangling" for "-f, --filter" flag: bad format of filter \(expected name=value\)/);
  });
});

describe("image prune", () => {
  let root: string;
  let ids: Record<string, string>;
  let done: () => void;
  beforeAll(() => {
    ({ root, ids, done } = setup("prune"));
  });
  afterAll(() => done());

  const warning = "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ";

  it("asks first; no answer or 'n' cancels (nothing removed, exit 0)", async () => {
    expect(strata(root, ["image", "prune"])).toMatchObject({ code: 0, stdout: warning, stderr: "" });
    expect(await strataAsync(root, ["image", "prune"], { input: "n\n" })).toMatchObject({ code: 0, stdout: warning });
    expect(strata(root, ["images", "-q", "-f", "dangling=true"]).stdout).toBe(`${short(ids.dangling)}\n`);
  });

  it("refuses an unknown filter before asking", () => {
    expect(strata(root, ["image", "prune", "--filter", "reference=x"])).toMatchObject({ code: 1, stdout: "", stderr: "strata: error[FILTER_INVALID]: invalid filter 'reference'\n" });
    expect(strata(root, ["image", "prune", "-f", "--filter", "until=soon"]).stderr).toMatch(/failed to parse value as time or duration: "soon"/);
  });

  it("'y' removes the dangling image only, in docker's report", async () => {
    const r = await strataAsync(root, ["image", "prune"], { input: "y\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${warning.replace(/[?[\]]/g, "\\$&")}Deleted Images:\ndeleted: ${ids.dangling}\n\nTotal reclaimed space: \\d+(\\.\\d+)?[kM]?B\n$`));
    expect(strata(root, ["images", "-q", "-f", "dangling=true"]).stdout).toBe("");
    expect(strata(root, ["image", "prune", "-f"]).stdout).toBe("Total reclaimed space: 0B\n");
  });

  it("-a with until= and label= filters untags and deletes what matches", () => {
    const old = strata(root, ["image", "prune", "-a", "-f", "--filter", "until=2020-06-01T00:00:00Z"]);
    expect(old.stdout).toMatch(new RegExp(`^Deleted Images:\nuntagged: app:1\ndeleted: ${ids["app:1"]}\n\nTotal reclaimed space: \\S+B\n$`));
    const db = strata(root, ["image", "prune", "-a", "-f", "--filter", "label=tier=db"]);
    expect(db.stdout).toMatch(new RegExp(`^Deleted Images:\nuntagged: app:2\nuntagged: other/app:2\ndeleted: ${ids["app:2"]}\n\n`));
    expect(names(strata(root, ["images"]).stdout)).toEqual(["tools:latest"]);
    expect(strata(root, ["system", "verify"]).code).toBe(0);
  });
});

describe("system prune", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("sysprune"));
  });
  afterAll(() => cleanup());

  it("shows docker's warning (with -a, --volumes and filters) and cancels without a 'y'", () => {
    expect(strata(root, ["system", "prune"])).toMatchObject({
      code: 0,
      stdout:
        "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue? [y/N] ",
    });
    expect(strata(root, ["system", "prune", "-a", "--volumes", "--filter", "label=x=1"]).stdout).toBe(
      "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all anonymous volumes not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n\n  Items to be pruned will be filtered with:\n  - label=x=1\n\nAre you sure you want to continue? [y/N] ",
    );
    // docker/cli system/prune.go: refused before any prompt or work, exit 1.
    expect(strata(root, ["system", "prune", "-f", "--volumes", "--filter", "until=1h"])).toMatchObject({ code: 1, stderr: 'strata: error[FILTER_INVALID]: The "until" filter is not supported with "--volumes"\n' });
  });

  it("-a -f removes stopped containers, then every image no container uses, then the build cache; filters narrow each", () => {
    const run = strata(root, ["run", "--name", "sp1", "busybox:latest", "true"]);
    expect(run.code, run.stderr).toBe(0);
    const ctx = tempDir("sysprune-ctx");
    writeFileSync(join(ctx, "Dockerfile"), "FROM busybox:latest\nRUN echo cached > /c\n");
    const built = strata(root, ["build", "-q", "-t", "kept:1", ctx]);
    rmSync(ctx, { recursive: true, force: true });
    expect(built.code, built.stderr).toBe(0);
    // The exited container still holds busybox's image: image prune -a keeps it, as docker's does.
    expect(strata(root, ["image", "prune", "-a", "-f", "--filter", "label=none=1"]).stdout).toBe("Total reclaimed space: 0B\n");
    // Everything here is newer than an hour, and nothing carries the label: nothing goes.
    expect(strata(root, ["system", "prune", "-a", "-f", "--filter", "until=1h"]).stdout).toBe("Total reclaimed space: 0B\n");
    expect(strata(root, ["system", "prune", "-a", "-f", "--filter", "label=none=1"]).stdout).toBe("Total reclaimed space: 0B\n");
    const id = strata(root, ["ps", "-a", "-q"]).stdout.trim();
    expect(id).toMatch(/^[a-f0-9]{12}$/);
    const r = strata(root, ["system", "prune", "-a", "-f"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Deleted Containers:\n[a-f0-9]{12,64}\n\nDeleted Images:\n(untagged: [\w:]+\ndeleted: sha256:[a-f0-9]{64}\n){2}\nDeleted build cache objects:\n(\S+\n)+\nTotal reclaimed space: \S+B\n$/,
    );
    expect(r.stdout).toContain(id);
    expect(r.stdout).toContain("untagged: busybox:latest\n");
    expect(r.stdout).toContain("untagged: kept:1\n");
    expect(strata(root, ["images", "-q"]).stdout).toBe("");
    expect(strata(root, ["ps", "-a", "-q"]).stdout).toBe("");
  });
});
