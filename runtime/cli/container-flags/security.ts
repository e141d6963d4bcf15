import type { Command } from "commander";
import type { DeviceMapping, HostConfig } from "../../container/host-config.ts";
import { readProfile } from "../../runc/seccomp.ts";
import { collect } from "../options.ts";
import { invalid } from "../run-flags.ts";
import { StrataError } from "../../errors/error.ts";

/**
 * `run`/`create` security flags, as docker's CLI reads them: `--cap-add` /
 * `--cap-drop` (names checked at create: container/host-config.ts),
 * `--privileged`, `--security-opt seccomp=PROFILE|unconfined` (the profile file
 * is read here, as docker's CLI reads it) and `no-new-privileges[=true|false]`,
 * `--read-only`, `--device HOST[:CONTAINER][:PERMS]`.
 */
export interface SecurityFlags {
  capAdd: string[];
  capDrop: string[];
  privileged?: boolean;
  securityOpt: string[];
  readOnly?: boolean;
  device: string[];
}

export function addSecurityFlags(c: Command): Command {
  return c
    .option("--cap-add <cap>", "add a Linux capability (NET_ADMIN, ALL); repeatable", collect, [])
    .option("--cap-drop <cap>", "drop a Linux capability (CHOWN, ALL); repeatable", collect, [])
    .option("--privileged", "give the container every capability and device, no seccomp, writable /sys")
    .option("--security-opt <opt>", "seccomp=PROFILE.json|unconfined, no-new-privileges[=true]; repeatable", collect, [])
    .option("--read-only", "mount the container's root filesystem read-only")
    .option("--device <host[:container][:rwm]>", "add a host device to the container; repeatable", collect, []);
}

/** docker's `--device` syntax (opts.ParseDevice): HOST, HOST:CONTAINER, HOST:PERMS or HOST:CONTAINER:PERMS. */
export function parseDevice(value: string): DeviceMapping {
  const parts = value.split(":");
  const isPerms = (s: string | undefined): boolean => s !== undefined && /^[rwm]{1,3}$/.test(s);
  let [host, container, perms] = parts;
  if (parts.length === 2 && isPerms(container)) [container, perms] = [undefined, container];
  if (parts.length > 3 || host === undefined || host === "" || !host.startsWith("/")) throw invalid("--device", value, `bad format for path: ${value}`);
  if (perms !== undefined && !isPerms(perms)) throw invalid("--device", value, `bad mode specified: ${perms}`);
  if (container !== undefined && !container.startsWith("/")) throw invalid("--device", value, `bad format for path: ${container}`);
  return { pathOnHost: host, pathInContainer: container || host, permissions: perms ?? "rwm" };
}

/** The flags as HostConfig fields (the seccomp profile read and checked); a malformed value is USAGE. */
export async function securityHostConfig(f: SecurityFlags): Promise<HostConfig> {
  let seccomp: HostConfig["seccomp"];
  let noNewPrivileges: boolean | undefined;
  for (const opt of f.securityOpt) {
    // docker takes `key=value` and the older `key:value`.
    const m = /^([a-z-]+)(?:[=:](.*))?$/.exec(opt);
    const key = m?.[1];
    const value = m?.[2];
    if (key === "seccomp" && value !== undefined && value !== "") {
      seccomp = value === "unconfined" ? "unconfined" : value === "builtin" ? undefined : { profile: await readProfile(value) };
    } else if (key === "no-new-privileges") {
      if (value !== undefined && !/^(true|false)$/.test(value)) throw new StrataError("USAGE", `invalid --security-opt 2: "${opt}"`);
      noNewPrivileges = value !== "false";
    } else if (key === "apparmor" || key === "label" || key === "systempaths" || key === "mask" || key === "unmask") {
      throw new StrataError("USAGE", `--security-opt ${opt}: ${key} is not supported here (seccomp and no-new-privileges are)`);
    } else throw new StrataError("USAGE", `invalid --security-opt 1: "${opt}"`);
  }
  const devices = f.device.map(parseDevice);
  return {
    ...(f.capAdd.length > 0 && { capAdd: f.capAdd }),
    ...(f.capDrop.length > 0 && { capDrop: f.capDrop }),
    ...(f.privileged && { privileged: true }),
    ...(seccomp !== undefined && { seccomp }),
    ...(noNewPrivileges !== undefined && { noNewPrivileges }),
    ...(f.readOnly && { readonlyRootfs: true }),
    ...(devices.length > 0 && { devices }),
  };
}
