/**
 * Issue 18 item 3: `--format` Go templates on the image and container commands, replaying the
 * invocations CI scripts use and checking them against docker's documented output
 * (docs.docker.com/reference/cli/docker/image/ls/#format, …/container/ls/#format,
 * …/inspect/#examples, …/image/history/#format, …/system/df/#format): docker's field names,
 * `table` with docker's column headers, `json` one object per line, and `inspect -f` on images
 * and containers alike. A bad template is docker's `template parsing error: …`, exit 1, before
 * any work.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("--format templates on images, history, inspect, ps and system df", () => {
  let root = "";
  let cleanup = () => {};
  let imageId = "";
  const ctx = join(tempDir("fmt-ctx"), "ctx");

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("fmt"));
    mkdirSync(ctx);
    writeFileSync(join(ctx, "Dockerfile"), 'FROM busybox\nENV GREETING=hi\nCMD ["sh", "-c", "echo $GREETING"]\n');
    const b = strata(root, ["build", "-q", "-t", "fmtapp:1", ctx]);
    expect(b.code, b.stderr).toBe(0);
    imageId = b.stdout.trim();
    const r = strata(root, ["run", "--name", "fmt-c1", "fmtapp:1"]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => cleanup());

  it("images --format '{{.Repository}}:{{.Tag}}' prints one line per image", () => {
    const r = strata(root, ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").sort()).toEqual(["", "busybox:latest", "fmtapp:1"]);
  });

  it("images --format 'table …' heads the columns with docker's names and aligns them", () => {
    const r = strata(root, ["images", "--format", "table {{.ID}}\\t{{.Repository}}\\t{{.Tag}}"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("IMAGE ID       REPOSITORY   TAG");
    expect(lines).toContain(`${imageId.slice(7, 19)}   fmtapp       1`);
  });

  it("images --format json: one object per line with docker's keys, sorted", () => {
    const lines = strata(root, ["images", "--format", "json"]).stdout.trimEnd().split("\n");
    const app = lines.map((l) => JSON.parse(l) as Record<string, string>).find((o) => o.Repository === "fmtapp");
    expect(Object.keys(app ?? {})).toEqual(["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository", "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize"]);
    expect(app?.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  });

  it("inspect -f '{{.Config.Cmd}}' prints a []string as Go does; {{json .Config.Env}} and {{.Id}}", () => {
    expect(strata(root, ["inspect", "-f", "{{.Config.Cmd}}", "fmtapp:1"]).stdout).toBe("[sh -c echo $GREETING]\n");
    expect(strata(root, ["inspect", "--format", "{{json .Config.Env}}", "fmtapp:1"]).stdout).toBe('["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hi"]\n');
    expect(strata(root, ["image", "inspect", "-f", "{{.Id}}", "fmtapp:1"]).stdout).toBe(`${imageId}\n`);
    // Fields the image's JSON leaves out print as docker's typed struct has them.
    expect(strata(root, ["inspect", "-f", "{{.Config.Entrypoint}}|{{.Config.User}}|{{.Os}}", "fmtapp:1"]).stdout).toBe("[]||linux\n");
    // json (and no --format) is the indented array, as before.
    expect(JSON.parse(strata(root, ["inspect", "-f", "json", "fmtapp:1"]).stdout)[0].Id).toBe(imageId);
  });

  it("inspect -f works on containers too: State, Name, Config.Cmd", () => {
    const r = strata(root, ["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Name}} {{.Config.Image}} {{.Config.Cmd}}", "fmt-c1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("exited 0 /fmt-c1 fmtapp:1 [sh -c echo $GREETING]\n");
    expect(strata(root, ["container", "inspect", "--format", "{{.Path}} {{json .Args}}", "fmt-c1"]).stdout).toBe('sh ["-c","echo $GREETING"]\n');
    // container inspect looks for containers only: docker's `No such container`, exit 1.
    const img = strata(root, ["container", "inspect", "fmtapp:1"]);
    expect([img.code, img.stdout, img.stderr]).toEqual([1, "[]\n", "strata: error[NO_SUCH_CONTAINER]: No such container: fmtapp:1\n"]);
  });

  it("ps --format with docker's ContainerContext fields, and a table", () => {
    const r = strata(root, ["ps", "-a", "--format", "{{.Names}}|{{.Image}}|{{.Command}}|{{.State}}|{{.Status}}"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^fmt-c1\|fmtapp:1\|"sh -c echo \$GREETING"\|exited\|Exited \(0\) .* ago\n$/);
    // docker ps: -q wins over --format, with a warning (docker/cli cli/command/container/list.go runPs).
    const q = strata(root, ["ps", "-a", "-q", "--format", "{{.Names}}"]);
    expect(q.stdout).toMatch(/^[0-9a-f]{12}\n$/);
    expect(q.stderr).toBe("WARNING: Ignoring custom format, because both --format and --quiet are set.\n");
    const t = strata(root, ["container", "ls", "-a", "--format", "table {{.ID}}\\t{{.Names}}"]).stdout.split("\n");
    expect(t[0]).toBe("CONTAINER ID   NAMES");
    expect(t[1]).toMatch(/^[0-9a-f]{12} {3}fmt-c1$/);
  });

  it("history and system df take templates with docker's field names", () => {
    const h = strata(root, ["history", "--format", "{{.CreatedBy}}|{{.CreatedAt}}", "fmtapp:1"]).stdout.split("\n");
    expect(h[1]).toMatch(/^ENV GREETING=hi\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const df = strata(root, ["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]).stdout.split("\n");
    expect(df[0]).toBe("Images 2");
    expect(strata(root, ["system", "df", "--format", "table {{.Type}}\\t{{.TotalCount}}"]).stdout.split("\n")[0]).toBe("TYPE              TOTAL");
  });

  it.each([
    [["images", "--format", "{{.Repository"]],
    [["inspect", "-f", "{{.Config.Cmd", "fmtapp:1"]],
    [["ps", "--format", "{{if .ID}}"]],
  ])("a template that does not parse: one line, docker's `template parsing error`, exit 1 (%j)", (args) => {
    const r = strata(root, args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^strata: error\[TEMPLATE_INVALID\]: template parsing error: template: :1: (unclosed action|unexpected EOF)\n$/);
  });

  it("a field the command does not have is Go's execution error, exit 1", () => {
    const r = strata(root, ["images", "--format", "{{.Nope}}"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('strata: error[TEMPLATE_INVALID]: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext\n');
  });
});
