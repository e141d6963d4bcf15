/**
 * Issue 18 (h18c items 1–3): the image commands' output as docker's.
 * - Default tables are docker's default formats run through docker's formatter tabwriter
 *   (docker/cli formatter.go: minwidth 10, padding 3): an empty `docker images` prints
 *   `REPOSITORY   TAG       IMAGE ID   CREATED   SIZE`, an empty `docker ps -a`
 *   `CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES`.
 * - `inspect` of a missing name is docker's `No such object: NAME`, `image inspect` `No such image: NAME`, exit 1.
 * - `version` and `info` take Go templates with docker's field names; a template that does not
 *   parse is exit 64 there, as docker's (cli/command/system/version.go, info.go).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

/** The columns' start offsets of a table line: where a cell begins after 3+ spaces. */
function starts(line: string): number[] {
  return [0, ...[...line.matchAll(/ {3,}(?=\S)/g)].map((m) => (m.index ?? 0) + m[0].length)];
}

describe("default tables in docker's layout", () => {
  it("an empty store: images, images --digests, ps -a as docker prints them", () => {
    const root = tempDir("layout-empty");
    expect(strata(root, ["images"]).stdout).toBe("REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n");
    expect(strata(root, ["images", "--digests"]).stdout).toBe("REPOSITORY   TAG       DIGEST    IMAGE ID   CREATED   SIZE\n");
    expect(strata(root, ["ps", "-a"]).stdout).toBe("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
    expect(strata(root, ["container", "ls"]).stdout).toBe("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
  });

  describe("with images", () => {
    let root = "";
    let cleanup = () => {};
    beforeAll(() => {
      ({ root, cleanup } = storeWithBusybox("layout"));
    }, 60_000);
    afterAll(() => cleanup());

    it("images: each column starts where its header does, at least 10 wide and 3 apart", () => {
      const lines = strata(root, ["images"]).stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      const [head, row] = lines as [string, string];
      expect(head).toMatch(/^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED {3,}SIZE$/);
      expect(row).toMatch(/^busybox {6}latest {4}[0-9a-f]{12} {3}\S.* ago {3,}\d/);
      expect(starts(row)).toEqual(starts(head));
    });

    it("history: IMAGE CREATED CREATED BY SIZE COMMENT, the rows under their headers", () => {
      const lines = strata(root, ["history", "busybox"]).stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^IMAGE {10}CREATED {3,}CREATED BY {3,}SIZE {6,}COMMENT$/);
      for (const l of lines.slice(1)) expect(starts(l).slice(0, 3)).toEqual(starts(lines[0] as string).slice(0, 3));
    });

    it("system df: TYPE TOTAL ACTIVE SIZE RECLAIMABLE, docker's default table", () => {
      const lines = strata(root, ["system", "df"]).stdout.trimEnd().split("\n");
      expect(lines[0]).toBe("TYPE              TOTAL     ACTIVE    SIZE      RECLAIMABLE");
      expect(lines[1]).toMatch(/^Images {12}1 {9}0 {9}\S+ +\S+ \(100%\)$/);
    });

    it("inspect of a missing name: docker's `No such object`; image inspect: `No such image`; exit 1", () => {
      const any = strata(root, ["inspect", "nosuch"]);
      expect([any.code, any.stdout, any.stderr]).toEqual([1, "[]\n", "strata: error[NO_SUCH_OBJECT]: No such object: nosuch\n"]);
      const image = strata(root, ["image", "inspect", "nosuch:1"]);
      expect([image.code, image.stdout, image.stderr]).toEqual([1, "[]\n", "strata: error[IMAGE_NOT_FOUND]: No such image: nosuch:1\n"]);
      // Found objects are still printed, as docker's inspect prints them before the errors.
      const some = strata(root, ["inspect", "-f", "{{.Os}}", "busybox", "nosuch"]);
      expect([some.code, some.stdout, some.stderr]).toEqual([1, "linux\n", "strata: error[NO_SUCH_OBJECT]: No such object: nosuch\n"]);
    });
  });
});

describe("version and info take Go templates", () => {
  const root = tempDir("layout-info");
  const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;

  it("version -f with docker's fields: {{.Server.Version}}, {{.Client.Version}}, {{json .}}", () => {
    expect(strata(root, ["version", "-f", "{{.Server.Version}}"]).stdout).toBe(`${version}\n`);
    expect(strata(root, ["version", "--format", "{{.Client.Version}} {{.Client.Os}}/{{.Client.Arch}}"]).stdout).toMatch(new RegExp(`^${version.replaceAll(".", "\\.")} linux/(amd64|arm64)\\n$`));
    const json = JSON.parse(strata(root, ["version", "-f", "{{json .}}"]).stdout) as { Client: { Version: string }; Server: { Components: { Name: string }[] } };
    expect(json.Client.Version).toBe(version);
    expect(json.Server.Components.map((c) => c.Name)).toEqual(["Engine", "runc"]);
    expect(strata(root, ["version", "-f", "json"]).stdout).toBe(strata(root, ["version", "-f", "{{json .}}"]).stdout);
    expect(strata(root, ["version", "-f", '{{range .Server.Components}}{{.Name}}={{.Version}} {{end}}']).stdout).toMatch(/^Engine=\S+ runc=\d+\.\d+\.\d+\S* \n$/);
  });

  it("version without -f: docker's sections, values aligned at column 20 (tabwriter minwidth 20, padding 1)", () => {
    const out = strata(root, ["version"]).stdout;
    expect(out).toMatch(new RegExp(`^Client:\\n Version: {11}${version.replaceAll(".", "\\.")}\\n Node version: {6}v\\d`));
    expect(out).toMatch(/\nServer: Strata[^\n]*\n Engine:\n {2}Version: {10}\S+\n {2}OS\/Arch: {10}linux\//);
  });

  it("info -f: {{.ServerVersion}}, {{.Driver}}, {{.Images}}, {{json .}} as docker names them", () => {
    expect(strata(root, ["info", "-f", "{{.ServerVersion}}"]).stdout).toBe(`${version}\n`);
    expect(strata(root, ["system", "info", "--format", "{{.Driver}} {{.Images}} {{.Containers}} {{.OSType}}"]).stdout).toBe("overlayfs 0 0 linux\n");
    const json = JSON.parse(strata(root, ["info", "--format", "{{json .}}"]).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ServerVersion: version, DockerRootDir: root, Driver: "overlayfs", ContainersPaused: 0, DefaultRuntime: "runc" });
    expect(strata(root, ["info", "-f", "json"]).stdout).toBe(strata(root, ["info", "-f", "{{json .}}"]).stdout);
  });

  it("a template that does not parse is exit 64 (docker's), one that fails on a value exit 1", () => {
    const bad = strata(root, ["version", "-f", "{{.Server.Version"]);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([64, "", "strata: error[INFO_TEMPLATE_INVALID]: template parsing error: template: version:1: unclosed action\n"]);
    const badInfo = strata(root, ["info", "-f", "{{if}}"]);
    expect(badInfo.code).toBe(64);
    expect(badInfo.stderr).toMatch(/^strata: error\[INFO_TEMPLATE_INVALID\]: template parsing error: template: :1: /);
    const field = strata(root, ["info", "-f", "{{.Nope}}"]);
    expect([field.code, field.stderr]).toEqual([1, 'strata: error[TEMPLATE_INVALID]: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type system.dockerInfo\n']);
  });
});
