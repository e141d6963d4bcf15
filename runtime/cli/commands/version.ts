import { type Command, Option } from "commander";
import { openStore } from "../context.ts";
import { humanSize } from "../format.ts";
import { goArch, runcFacts, systemInfo } from "../host-facts.ts";
import { strataVersion } from "../strata-version.ts";

/** Key: value lines, the values aligned as docker's tabwriter aligns them. */
function section(indent: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)}${v}\n`).join("");
}

const FORMAT = new Option("-f, --format <format>", "json: the fields as one JSON object (docker's field names)").choices(["json"]);

/** `strata version`: docker version's Client and Server sections; Strata is both (no daemon). */
export function registerVersion(program: Command): void {
  program
    .command("version")
    .description("Show the Strata version information")
    .addOption(FORMAT)
    .action(async (opts: { format?: "json" }) => {
      const runc = await runcFacts();
      const client = { Version: strataVersion(), NodeVersion: process.version, Os: "linux", Arch: goArch() };
      if (opts.format === "json") {
        process.stdout.write(`${JSON.stringify({ Client: client, Server: { Version: client.Version, Components: [{ Name: "runc", Version: runc.Version ?? "", Details: { GitCommit: runc.GitCommit ?? "" } }] } })}\n`);
        return;
      }
      const out = [
        "Client:\n",
        section(" ", [
          ["Version", client.Version],
          ["Node version", client.NodeVersion],
          ["OS/Arch", `${client.Os}/${client.Arch}`],
        ]),
        "\nServer: Strata (no daemon: this process builds and runs)\n",
        " Engine:\n",
        section("  ", [
          ["Version", client.Version],
          ["OS/Arch", `${client.Os}/${client.Arch}`],
        ]),
        " runc:\n",
        section("  ", runc.Version === undefined ? [["Error", runc.Error ?? ""]] : [["Version", runc.Version], ["GitCommit", runc.GitCommit ?? ""]]),
      ];
      process.stdout.write(out.join(""));
    });
}

/** `strata info` (also `system info`): docker info's Server section for this store and machine. */
export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("Display system-wide information: store, runc, kernel, overlay, cgroups")
    .addOption(FORMAT)
    .action(async (opts: { format?: "json" }, cmd: Command) => {
      const i = await systemInfo(await openStore(cmd));
      if (opts.format === "json") {
        process.stdout.write(`${JSON.stringify(i)}\n`);
        return;
      }
      // docker info prints "Key: value" unaligned, sub-items one space further in.
      const rows: [number, string, string][] = [
        [1, "Containers", String(i.Containers)],
        [2, "Running", String(i.ContainersRunning)],
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
        [1, "CPUs", String(i.NCPU)],
        [1, "Total Memory", humanSize(i.MemTotal)],
        [1, "Strata Root Dir", i.DockerRootDir],
      ];
      const lines = ["Server:\n", ...rows.map(([d, k, v]) => `${" ".repeat(d)}${k}: ${v}\n`)];
      process.stdout.write(lines.join(""));
    });
}
