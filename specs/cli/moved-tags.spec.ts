/**
 * Issue 18 (h18c item 5): a tag moved to a new image leaves the old image in the store as
 * docker leaves it, `<none>:<none>` when nothing else names it: `docker images` lists it,
 * `docker images -f dangling=true` selects it, `docker image prune` removes it
 * (docs.docker.com/reference/cli/docker/image/prune/: "dangling images … are not tagged").
 * build -t, tag, load, import and commit all move tags this way; its blobs stay until a prune.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeAllContainers } from "../container/helpers.ts";
import { useSmallBuilds } from "../helpers/small-builds.ts";
import { strata, tempDir } from "../helpers/strata.ts";

const short = (id: string) => id.slice(7, 19);

describe("a moved tag leaves the old image dangling", () => {
  const s = useSmallBuilds("moved-tags");
  const scratch = tempDir("moved-tags-files");
  afterAll(() => {
    removeAllContainers(s.root);
    rmSync(scratch, { recursive: true, force: true });
  });
  const id = (ref: string) => strata(s.root, ["inspect", "-f", "{{.Id}}", ref]).stdout.trim();
  const rows = () =>
    strata(s.root, ["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"])
      .stdout.trimEnd()
      .split("\n")
      .filter(Boolean);
  const dangling = () => strata(s.root, ["images", "-q", "-f", "dangling=true"]).stdout.trimEnd().split("\n").filter(Boolean).sort();
  const manifestBlob = (imageId: string) => {
    const index = JSON.parse(readFileSync(join(s.root, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    for (const m of index.manifests) {
      const manifest = JSON.parse(readFileSync(join(s.root, "blobs/sha256", m.digest.slice(7)), "utf8")) as { config: { digest: string } };
      if (manifest.config.digest === imageId) return m.digest;
    }
    return undefined;
  };
  let v1 = "";
  let v2 = "";

  it("build -t x over an older x: the old one is <none>:<none>, listed, dangling, usable by ID", () => {
    expect(s.build("x", "FROM busybox\nRUN echo one > /v\n", { tag: "x:1" }).code).toBe(0);
    v1 = id("x:1");
    expect(s.build("x2", "FROM busybox\nRUN echo two > /v\n", { tag: "x:1" }).code).toBe(0);
    v2 = id("x:1");
    expect(v2).not.toBe(v1);
    expect(rows()).toContain(`<none>:<none> ${short(v1)}`);
    expect(rows()).toContain(`x:1 ${short(v2)}`);
    expect(dangling()).toEqual([short(v1)]);
    // Still the whole image: history and inspect read it by ID, its blobs are all there.
    expect(strata(s.root, ["history", "-q", short(v1)]).code).toBe(0);
    expect(strata(s.root, ["inspect", "-f", "{{json .RepoTags}}", v1]).stdout).toBe("[]\n");
    expect(strata(s.root, ["system", "verify"]).stdout).toBe("store verified: ok\n");
  });

  it("tag x over another image, and an image with another name, is not left dangling twice", () => {
    expect(strata(s.root, ["tag", "x:1", "keep:1"]).code).toBe(0);
    expect(strata(s.root, ["tag", "busybox", "x:1"]).code).toBe(0);
    // v2 is still named keep:1: not dangling.
    expect(dangling()).toEqual([short(v1)]);
    expect(rows()).toContain(`keep:1 ${short(v2)}`);
    expect(strata(s.root, ["rmi", "keep:1"]).stdout).toBe(`Untagged: keep:1\nDeleted: ${v2}\n`);
    // Moving a name back and forth leaves one <none> entry per image, not more.
    expect(strata(s.root, ["tag", short(v1), "x:1"]).code).toBe(0);
    expect(dangling()).toEqual([]);
    expect(strata(s.root, ["tag", "busybox", "x:1"]).code).toBe(0);
    expect(dangling()).toEqual([short(v1)]);
  });

  it("load and import moving a tag leave the old image too", () => {
    const archive = join(scratch, "v1.tar");
    expect(s.build("l", "FROM busybox\nRUN echo loaded > /v\n", { tag: "loaded:1" }).code).toBe(0);
    const loaded = id("loaded:1");
    expect(strata(s.root, ["save", "-o", archive, "loaded:1"]).code).toBe(0);
    expect(strata(s.root, ["tag", "busybox", "loaded:1"]).code).toBe(0);
    expect(dangling()).toContain(short(loaded));
    // load names it loaded:1 again; the busybox image the name left keeps its own name.
    expect(strata(s.root, ["load", "-i", archive]).code).toBe(0);
    expect(dangling()).not.toContain(short(loaded));
    expect(strata(s.root, ["load", "-i", archive]).code).toBe(0);
    // import over the loaded name: the loaded image is <none> again.
    expect(strata(s.root, ["import", archive, "loaded:1"]).code).toBe(0);
    expect(dangling()).toContain(short(loaded));
  });

  it("commit over a name leaves the image the name had", () => {
    expect(strata(s.root, ["run", "--name", "moved-tags-c", "x:1", "sh", "-c", "echo c > /c"]).code).toBe(0);
    const before = id("x:1");
    expect(strata(s.root, ["commit", "-m", "one", "moved-tags-c", "committed:1"]).code).toBe(0);
    const first = id("committed:1");
    expect(strata(s.root, ["commit", "-m", "two", "moved-tags-c", "committed:1"]).code).toBe(0);
    expect(id("committed:1")).not.toBe(first);
    expect(dangling()).toContain(short(first));
    expect(id("x:1")).toBe(before);
  });

  it("image prune removes them, and gc then frees their blobs; nothing named loses a blob", () => {
    const gone = [v1];
    const blob = manifestBlob(v1) as string;
    expect(blob).toBeDefined();
    expect(existsSync(join(s.root, "blobs/sha256", blob.slice(7)))).toBe(true);
    const before = dangling();
    const r = strata(s.root, ["image", "prune", "-f"]);
    expect(r.code, r.stderr).toBe(0);
    for (const d of gone) expect(r.stdout).toContain(`deleted: ${d}\n`);
    expect(r.stdout.match(/^deleted: /gm)).toHaveLength(before.length);
    expect(dangling()).toEqual([]);
    expect(existsSync(join(s.root, "blobs/sha256", blob.slice(7)))).toBe(false);
    expect(rows().some((l) => l.startsWith("<none>:<none>"))).toBe(false);
    expect(strata(s.root, ["system", "verify"]).stdout).toBe("store verified: ok\n");
    expect(strata(s.root, ["run", "--rm", "x:1", "true"]).code).toBe(0);
  });
});
