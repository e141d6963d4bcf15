/**
 * Issue 18 items 2 and 7: untagged images are first-class, as docker's are.
 *
 * - `id=$(docker build -q ctx); docker run --rm $id …` works: a build without -t (and `commit`,
 *   `import` without a name) leaves a dangling image, listed `<none>   <none>` by `docker images`
 *   (docs.docker.com/reference/cli/docker/image/ls/, "untagged images"), usable by its full or
 *   short ID anywhere a reference is; `docker image prune` removes it, printing
 *   `Deleted Images:` and `deleted: sha256:…` (docs.docker.com/reference/cli/docker/image/prune/).
 * - Any unique prefix of an ID works (moby's image store Search over go-digest's digestset:
 *   no minimum length); a name is looked up before an ID prefix.
 * - `docker image build` / `docker image import` are the top-level commands under `image`.
 * - `docker tag myapache x:` is refused for its empty tag, not blamed on upper case.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { removeAllContainers } from "../container/helpers.ts";

let root: string;
let cleanup: () => void;
const ctx = tempDir("untagged-ctx");

beforeAll(() => {
  ({ root, cleanup } = storeWithBusybox("untagged"));
  mkdirSync(join(ctx, "a"));
  writeFileSync(join(ctx, "a", "Dockerfile"), "FROM busybox\nRUN echo untagged > /f\n");
});
afterAll(() => {
  removeAllContainers(root);
  cleanup();
  rmSync(ctx, { recursive: true, force: true });
});

/** `images` rows as [REPOSITORY, TAG, IMAGE ID]. */
function rows(): string[][] {
  const r = strata(root, ["images"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/\s{2,}/).slice(0, 3));
}

describe("an untagged build is a <none> image usable by ID", () => {
  let id = "";

  it("build -q without -t prints an ID that run, history, inspect and save take, in full or by any unique prefix", () => {
    const b = strata(root, ["build", "-q", join(ctx, "a")]);
    expect(b.code, b.stderr).toBe(0);
    id = b.stdout.trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(rows()).toContainEqual(["<none>", "<none>", id.slice(7, 19)]);

    expect(strata(root, ["run", "--rm", id, "cat", "/f"]).stdout).toBe("untagged\n");
    // The shortest prefix that is unique among this store's images (docker has no minimum length).
    const others = rows().map((r) => r[2] as string).filter((s) => s !== id.slice(7, 19));
    let n = 1;
    while (others.some((o) => o.startsWith(id.slice(7, 7 + n)))) n++;
    const prefix = id.slice(7, 7 + n);
    expect(strata(root, ["run", "--rm", prefix, "cat", "/f"]).stdout).toBe("untagged\n");
    const ins = strata(root, ["inspect", prefix]);
    expect(ins.code, ins.stderr).toBe(0);
    const [img] = JSON.parse(ins.stdout) as { Id: string; RepoTags: string[] }[];
    expect(img?.Id).toBe(id);
    expect(img?.RepoTags).toEqual([]);
    expect(strata(root, ["history", "-q", prefix]).stdout.split("\n")[0]).toBe(id.slice(7, 19));
    const out = join(ctx, "a.tar");
    expect(strata(root, ["save", "-o", out, id.slice(7, 19)]).code).toBe(0);
  });

  it("a name is looked up before an ID prefix, as docker's daemon does", () => {
    const short = id.slice(7, 12);
    expect(strata(root, ["tag", "busybox", `${short}:latest`]).code).toBe(0);
    const ins = JSON.parse(strata(root, ["inspect", short]).stdout) as { Id: string; RepoTags: string[] }[];
    expect(ins[0]?.RepoTags).toEqual(["busybox:latest", `${short}:latest`]);
    expect(ins[0]?.Id).not.toBe(id);
    expect(strata(root, ["rmi", short]).stdout).toBe(`Untagged: ${short}:latest\n`);
  });

  it("tagging it replaces the <none> row; rmi of the last name deletes it", () => {
    expect(strata(root, ["tag", id.slice(7, 15), "named:1"]).code).toBe(0);
    const now = rows().filter((r) => r[2] === id.slice(7, 19));
    expect(now).toEqual([["named", "1", id.slice(7, 19)]]);
    // docker rmi: `Untagged:` for the name, then `Deleted:` as no name is left.
    const rmi = strata(root, ["rmi", "named:1"]);
    expect(rmi.stdout).toBe(`Untagged: named:1\nDeleted: ${id}\n`);
    expect(rows().some((r) => r[2] === id.slice(7, 19))).toBe(false);
  });

  it("rmi of a dangling image by ID prints only Deleted:", () => {
    const again = strata(root, ["build", "-q", join(ctx, "a")]).stdout.trim();
    expect(rows()).toContainEqual(["<none>", "<none>", again.slice(7, 19)]);
    expect(strata(root, ["rmi", again.slice(7, 19)]).stdout).toBe(`Deleted: ${again}\n`);
    const gone = strata(root, ["run", "--rm", again, "true"]);
    expect(gone.code).toBe(125);
    expect(gone.stderr).toContain(`No such image: ${again}`);
  });

  it("commit without a name and import without a name leave <none> images; image prune removes them", () => {
    const run = strata(root, ["run", "--name", `untagged-${process.pid}`, "busybox", "sh", "-c", "echo c > /c"]);
    expect(run.code, run.stderr).toBe(0);
    const commit = strata(root, ["commit", `untagged-${process.pid}`]);
    expect(commit.code, commit.stderr).toBe(0);
    const committed = commit.stdout.trim();
    expect(rows()).toContainEqual(["<none>", "<none>", committed.slice(7, 19)]);
    expect(strata(root, ["run", "--rm", committed.slice(7, 13), "cat", "/c"]).stdout).toBe("c\n");

    // `image import` is `import` (docker image import); without a name the image is dangling.
    const imp = strata(root, ["image", "import", join(ctx, "a.tar")]);
    expect(imp.code, imp.stderr).toBe(0);
    const imported = imp.stdout.trim();
    expect(rows()).toContainEqual(["<none>", "<none>", imported.slice(7, 19)]);

    const prune = strata(root, ["image", "prune", "-f"]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(`Deleted Images:\n`);
    expect(prune.stdout).toContain(`deleted: ${committed}\n`);
    expect(prune.stdout).toContain(`deleted: ${imported}\n`);
    expect(rows().filter((r) => r[0] === "<none>")).toEqual([]);
    expect(strata(root, ["run", "--rm", "busybox", "true"]).code).toBe(0);
  });

  it("system prune removes dangling images too, as docker's does", () => {
    const b = strata(root, ["build", "-q", join(ctx, "a")]);
    expect(b.code, b.stderr).toBe(0);
    const prune = strata(root, ["system", "prune", "-f"]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(`Deleted Images:\ndeleted: ${b.stdout.trim()}\n`);
    expect(rows().filter((r) => r[0] === "<none>")).toEqual([]);
  });
});

describe("the docker image … forms", () => {
  it("image build is build (docker image build)", () => {
    const r = strata(root, ["image", "build", "-q", "-t", "viaimage:1", join(ctx, "a")]);
    expect(r.code, r.stderr).toBe(0);
    expect(rows().map((x) => x.slice(0, 2))).toContainEqual(["viaimage", "1"]);
    expect(strata(root, ["image", "build", "--help"]).stdout).toContain("Build an image from a Dockerfile");
  });

  it("every docker image subcommand is there", () => {
    for (const sub of ["build", "history", "import", "inspect", "load", "ls", "prune", "pull", "push", "rm", "save", "tag"]) {
      const r = strata(root, ["image", sub, "--help"]);
      expect(r.code, `${sub}: ${r.stderr}`).toBe(0);
    }
  });
});

describe("references refused for what is wrong with them", () => {
  it("tag myapache x: says the tag is empty (not upper case)", () => {
    const r = strata(root, ["tag", "busybox", "x:"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`strata: error[USAGE]: tag TARGET_IMAGE: invalid reference format: "x:": the tag after ':' is empty (e.g. x:1.0)\n`);
  });

  it("an upper-case name says so, as distribution/reference's ErrNameContainsUppercase", () => {
    const r = strata(root, ["tag", "busybox", "Busybox"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid reference format: "Busybox": repository name must be lowercase`);
  });
});
