import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { fetchLocal, freePort, mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * The acceptance sequence of issue 9 (docker's commit workflow): a web
 * server in a detached container, a file written through exec, the diff,
 * a commit with message and author, and the image travelling through
 * save/load into another store where it runs with the file in it.
 */
describe("run -d, exec, diff, commit, save, load", () => {
  let root: string;
  let cleanup: () => void;
  const others: string[] = [];
  const name = `web-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("container-commit"));
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    for (const r of others) {
      removeAllContainers(r);
      rmSync(r, { recursive: true, force: true });
    }
  });

  it("serves, changes, commits and carries the change to another store", async () => {
    const port = await freePort();
    const www = tempDir("container-www");
    others.push(www);
    const page = strata(root, ["run", "--rm", "-v", `${www}:/out`, "busybox", "sh", "-c", "mkdir -p /out/www && echo '<h1>strata</h1>' > /out/www/index.html"]);
    expect(page.code, page.stderr).toBe(0);

    const run = strata(root, ["run", "-d", "--name", name, "-p", `127.0.0.1:${port}:80`, "-v", `${join(www, "www")}:/var/www:ro`, "busybox", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[a-f0-9]{64}\n$/);
    expect(await fetchLocal(port, "/index.html")).toBe("<h1>strata</h1>\n");

    const ps = strata(root, ["ps"]);
    expect(ps.stdout).toMatch(new RegExp(`^${run.stdout.slice(0, 12)}\\s+busybox\\s+"busybox httpd -f -p…"\\s+.*\\s+Up .*\\s+127\\.0\\.0\\.1:${port}->80/tcp\\s+${name}$`, "m"));

    const exec = strata(root, ["exec", name, "sh", "-c", "echo hello from exec > /tmp/hellofile"]);
    expect(exec.code, exec.stderr).toBe(0);

    const diff = strata(root, ["diff", name]);
    expect(diff.code, diff.stderr).toBe(0);
    const lines = diff.stdout.trim().split("\n");
    expect(lines).toContain("A /tmp/hellofile");
    expect(lines).toContain("C /tmp");
    // Mount points strata made (/etc/hosts, the -v target) are not the container's changes.
    expect(lines.filter((l) => /\/etc\/host|\/var\/www/.test(l))).toEqual([]);
    const paths = lines.map((l) => l.slice(2));
    expect([...paths].sort()).toEqual(paths);

    const commit = strata(root, ["commit", "-m", "custom web server", "-a", "Someone", name, "customweb:1"]);
    expect(commit.code, commit.stderr).toBe(0);
    expect(commit.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const imageId = commit.stdout.trim();
    // The container keeps running after a paused commit.
    expect(await fetchLocal(port, "/index.html")).toBe("<h1>strata</h1>\n");

    const images = strata(root, ["images"]);
    expect(images.stdout).toMatch(new RegExp(`^customweb\\s+1\\s+${imageId.slice(7, 19)}\\s`, "m"));
    const history = strata(root, ["history", "--no-trunc", "customweb:1"]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.split("\n")[1]).toContain("custom web server");
    expect(history.stdout.split("\n")[1]).toContain("busybox httpd -f");

    const inspect = strata(root, ["inspect", "customweb:1"]);
    if (inspect.code === 0) expect(inspect.stdout).toContain('"Someone"');

    // save → load into another store → run shows the file.
    const archive = join(www, "customweb.tar");
    const save = strata(root, ["save", "-o", archive, "customweb:1"]);
    expect(save.code, save.stderr).toBe(0);
    expect(existsSync(archive)).toBe(true);
    const other = storeWithBusybox("container-load");
    others.push(other.root);
    const load = strata(other.root, ["load", "-i", archive]);
    expect(load.code, load.stderr).toBe(0);
    const again = strata(other.root, ["run", "--rm", "customweb:1", "cat", "/tmp/hellofile"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("hello from exec\n");
  });
});
