import { release } from "node:os";
import type { Command } from "commander";
import { openStore } from "../context.ts";
import { humanSize } from "../format.ts";
import { strictFields, type Template } from "../go-template/exec.ts";
import { goArch, runcFacts, systemInfo } from "../host-facts.ts";
import { formatInfo, infoFormatParser, prettyVersion } from "../info-format.ts";
import { strataVersion } from "../strata-version.ts";

const HELP = "a Go template run on the object (docker's field names: {{.Server.Version}}, {{.ServerVersion}}), or json";

/**
 * docker version's object (versionInfo: Client, Server with its Components), with the fields
 * Strata has: Node's version stands where docker has Go's, runc is a component as in docker's.
 */
async function versionInfo(): Promise<object> {
  const runc = await runcFacts();
  const version = strataVersion();
  const platform = { Name: "Strata" };
  const client = strictFields({ Version: version, NodeVersion: process.version, Os: "linux", Arch: goArch() }, "system.clientVersion");
  const engine = { Name: "Engine", Version: version, Details: { Os: "linux", Arch: goArch(), KernelVersion: release(), NodeVersion: process.version } };
  const runcComponent = { Name: "runc", Version: runc.Version ?? "", Details: runc.Version === undefined ? { Error: runc.Error ?? "" } : { GitCommit: runc.GitCommit ?? "" } };
  const server = strictFields({ Platform: platform, Components: [engine, runcComponent], Version: version, Os: "linux", Arch: goArch(), KernelVersion: release() }, "*types.Version");
  return strictFields({ Client: client, Server: server }, "system.versionInfo");
}

/** `strata version`: docker version's Client and Server sections; Strata is both (no daemon). */
export function registerVersion(program: Command): void {
  program
    .command("version")
    .description("Show the Strata version information")
    .option("-f, --format <format>", HELP, infoFormatParser("version"))
    .action(async (opts: { format?: Template }) => {
      const info = await versionInfo();
      process.stdout.write(opts.format ? formatInfo(opts.format, info) : prettyVersion(info));
    });
}

/** `strata info` (also `system info`): docker info's Server section for this store and machine. */
export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("Display system-wide information: store, runc, kernel, overlay, cgroups")
    .option("-f, --format <format>", HELP, infoFormatParser(""))
    .action(async (opts: { format?: Template }, cmd: Command) => {
      const i = await systemInfo(await openStore(cmd));
      if (opts.format) {
        process.stdout.write(formatInfo(opts.format, strictFields({ ...i }, "system.dockerInfo")));
        return;
      }
      // docker info prints "Key: value" unaligned, sub-items one space further in.
      const rows: [number, string, string][] = [
        [1, "Containers", String(i.Containers)],
        [2, "Running", String(i.ContainersRunning)],
        [2, "Paused", String(i.ContainersPaused)],
        [2, "Stopped", String(i.ContainersStopped)],
        [1, "Images", String(i.Images)],
        [1, "Server Version", i.ServerVersion],
        [1, "Storage Driver", i.Driver],
        ...i.DriverStatus.map(([k, v]): [number, string, string] => [2, k, v]),
        [1, "Cgroup Version", i.CgroupVersion],
        [1, "runc version", i.Runc.Version === undefined ? `none (${i.Runc.Error ?? ""})` : `${i.Runc.Version}${i.Runc.GitCommit ? ` (${i.Runc.GitCommit})` : ""}`],
        [1, "Rootless", String(i.Rootless)],
        [1, "Kernel Version", i.KernelVersion],
        [1, "Operating System", i.OperatingSystem],
        [1, "OSType", i.OSType],
        [1, "Architecture", i.Architecture],
        [1, "Platforms", i.Platforms.join(", ")],
        [1, "CPUs", String(i.NCPU)],
        [1, "Total Memory", humanSize(i.MemTotal)],
        [1, "Strata Root Dir", i.DockerRootDir],
      ];
      const lines = ["Server:\n", ...rows.map(([d, k, v]) => `${" ".repeat(d)}${k}: ${v}\n`)];
      process.stdout.write(lines.join(""));
    });
}
