import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { mountsUnder, removeAllContainers } from "./helpers.ts";
import { rmSync } from "node:fs";

interface Inspected {
  State: Record<string, unknown> & { Pid: number };
  Config: Record<string, unknown> & { Env: string[] };
  HostConfig: Record<string, unknown> & { MaskedPaths: string[] };
  Mounts: unknown[];
  GraphDriver: { Name: string; Data: { MergedDir: string; LowerDir: string } };
  NetworkSettings: { Networks: Record<string, unknown> };
  HostsPath: string;
}

/** `inspect` of containers in docker's JSON shape, `--type`, and the `strata container SUB` forms. */
describe("container inspect", () => {
  let root: string;
  let cleanup: () => void;
  let vol: string;
  const c = `insp-${process.pid}`;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("inspect-container"));
    vol = tempDir("inspect-vol");
    expect(strata(root, ["run", "-d", "--name", c, "-v", `${vol}:/data:ro`, "-e", "K=V", "busybox", "sleep", "300"]).code).toBe(0);
  });

  afterAll(() => {
    removeAllContainers(root);
    expect(mountsUnder(root)).toEqual([]);
    cleanup();
    rmSync(vol, { recursive: true, force: true });
  });

  it("has docker's parts: State, Config, HostConfig, Mounts, GraphDriver, NetworkSettings", () => {
    const r = strata(root, ["container", "inspect", c]);
    expect(r.code, r.stderr).toBe(0);
    const [o] = JSON.parse(r.stdout) as Inspected[];
    expect(Object.keys(o as object)).toEqual([
      "Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath", "Name", "RestartCount", "Driver",
      "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings",
    ]);
    expect(o?.State).toMatchObject({ Status: "running", Running: true, Paused: false, ExitCode: 0, Error: "", FinishedAt: "0001-01-01T00:00:00Z" });
    expect(o?.State.Pid).toBeGreaterThan(1);
    expect(o?.Config).toMatchObject({ Cmd: ["sleep", "300"], Image: "busybox", Labels: {}, Tty: false, WorkingDir: "/" });
    expect(o?.Config.Env).toContain("K=V");
    expect(o?.HostConfig).toMatchObject({ Binds: [`${vol}:/data:ro`], NetworkMode: "private", RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, AutoRemove: false, ShmSize: 67108864 });
    expect(o?.HostConfig.MaskedPaths).toContain("/proc/kcore");
    expect(o?.Mounts).toEqual([{ Type: "bind", Source: vol, Destination: "/data", Mode: "ro", RW: false, Propagation: "rprivate" }]);
    expect(o?.GraphDriver.Name).toBe("overlay");
    expect(o?.GraphDriver.Data.MergedDir).toMatch(/\/merged$/);
    expect(mountsUnder(root)).toContain(o?.GraphDriver.Data.MergedDir);
    expect(o?.GraphDriver.Data.LowerDir.split(":").length).toBeGreaterThan(1);
    // The default network is a private one (container/network/); its /etc files are the container's own.
    expect(o?.NetworkSettings.Networks).toHaveProperty("private");
    expect(o?.HostsPath).toMatch(/\/hosts$/);
    expect(o?.HostsPath).not.toBe("/etc/hosts");
    expect(strata(root, ["inspect", "-f", "{{.State.Running}} {{.HostConfig.AutoRemove}} {{range .Mounts}}{{.Destination}}{{end}}", c]).stdout).toBe("true false /data\n");
  });

  it("--type picks containers or images; a name that is neither is docker's No such object", () => {
    expect(strata(root, ["inspect", "--type", "container", "-f", "{{.Name}}", c]).stdout).toBe(`/${c}\n`);
    expect(strata(root, ["inspect", "--type", "image", "-f", "{{.Os}}", "busybox"]).stdout).toBe("linux\n");
    const asImage = strata(root, ["inspect", "--type", "image", c]);
    expect([asImage.code, asImage.stdout, asImage.stderr]).toEqual([1, "[]\n", `strata: error[IMAGE_NOT_FOUND]: No such image: ${c}\n`]);
    const none = strata(root, ["inspect", "nosuch"]);
    expect([none.code, none.stdout, none.stderr]).toEqual([1, "[]\n", "strata: error[NO_SUCH_OBJECT]: No such object: nosuch\n"]);
    expect(strata(root, ["inspect", "--type", "bogus", c]).stderr).toBe('strata: error[USAGE]: "bogus" is not a valid value for --type\n');
  });

  it("every docker container subcommand Strata has answers as `strata container SUB`", () => {
    const help = strata(root, ["container", "--help"]).stdout;
    for (const sub of ["attach", "commit", "cp", "create", "diff", "exec", "export", "inspect", "kill", "logs", "ls", "prune", "rename", "rm", "run", "start", "stats", "stop", "top"]) {
      expect(help).toMatch(new RegExp(`\\n  ${sub}[ |]`));
    }
    expect(strata(root, ["container", "ls", "--format", "{{.Names}}"]).stdout).toBe(`${c}\n`);
    expect(strata(root, ["container", "list", "-q"]).stdout).toMatch(/^[0-9a-f]{12}\n$/);
    expect(strata(root, ["container", "exec", c, "cat", "/proc/1/cmdline"]).stdout).toBe("sleep\u0000300\u0000");
    expect(strata(root, ["container", "diff", c]).code).toBe(0);
  });
});
