import { randomBytes } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { parseSize } from "../../../compiler/dockerfile/instructions/mount.ts";
import { normalize } from "../../../compiler/lower/config.ts";
import type { HostConfig, HostMount } from "../../container/host-config.ts";
import { collect } from "../options.ts";
import { invalid } from "../run-flags.ts";

/**
 * `run`/`create` mount flags, as docker's CLI reads them (opts/mount.go):
 * `--mount type=bind|volume|tmpfs,source=…,target=…,readonly,…` (volume is the
 * type when none is given; a volume without a source is anonymous) and
 * `--tmpfs /dir[:opts]`. Fields are split on commas (no CSV quoting).
 */
export interface MountFlags {
  mount: string[];
  tmpfs: string[];
}

export function addMountFlags(c: Command): Command {
  return c
    .option("--mount <type=…,target=…>", "attach a mount: type=bind|volume|tmpfs, source/src, target/dst/destination, readonly, volume-nocopy, bind-propagation, bind-nonrecursive, tmpfs-size, tmpfs-mode; repeatable", collect, [])
    .option("--tmpfs <dir[:opts]>", "mount a tmpfs (options as mount's: size=64m,mode=1777,exec); repeatable", collect, []);
}

function parseBool(flag: string, value: string, key: string, v: string): boolean {
  if (/^(1|t|true|TRUE|True)$/.test(v)) return true;
  if (/^(0|f|false|FALSE|False)$/.test(v)) return false;
  throw invalid(flag, value, `invalid value for ${key}: ${v}`);
}

const PROPAGATIONS = ["rprivate", "private", "rshared", "shared", "rslave", "slave"];

/** One `--mount` value (docker's MountOpt.Set, its checks and messages). */
export function parseMount(value: string): HostMount {
  const flag = "--mount";
  let type = "volume";
  let source = "";
  let target = "";
  let readonly = false;
  let noCopy: boolean | undefined;
  let propagation: string | undefined;
  let nonRecursive: boolean | undefined;
  let size: number | undefined;
  let mode: number | undefined;
  for (const field of value.split(",")) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (val === undefined) {
      if (key === "readonly" || key === "ro") readonly = true;
      else if (key === "volume-nocopy") noCopy = true;
      else if (key === "bind-nonrecursive") nonRecursive = true;
      else throw invalid(flag, value, `invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case "type":
        type = val.toLowerCase();
        break;
      case "source":
      case "src":
        source = val === "." || val.startsWith("./") ? resolve(val) : val;
        break;
      case "target":
      case "dst":
      case "destination":
        target = val;
        break;
      case "readonly":
      case "ro":
        readonly = parseBool(flag, value, key, val);
        break;
      case "volume-nocopy":
        noCopy = parseBool(flag, value, key, val);
        break;
      case "bind-propagation":
        propagation = val.toLowerCase();
        if (!PROPAGATIONS.includes(propagation)) throw invalid(flag, value, `invalid propagation mode: ${val}`);
        break;
      case "bind-nonrecursive":
        nonRecursive = parseBool(flag, value, key, val);
        break;
      case "tmpfs-size":
        size = parseSize(val);
        if (size === undefined) throw invalid(flag, value, `invalid value for ${key}: ${val}`);
        break;
      case "tmpfs-mode":
        if (!/^[0-7]+$/.test(val)) throw invalid(flag, value, `invalid value for ${key}: ${val}`);
        mode = Number.parseInt(val, 8);
        break;
      default:
        throw invalid(flag, value, `unexpected key '${key}' in '${field}'`);
    }
  }
  if (target === "") throw invalid(flag, value, "target is required");
  if (!isAbsolute(target)) throw invalid(flag, value, `invalid mount path: '${target}' mount path must be absolute`);
  const mix = (prefix: string, set: boolean): void => {
    if (set) throw invalid(flag, value, `cannot mix '${prefix}-*' options with mount type '${type}'`);
  };
  mix("volume", type !== "volume" && noCopy !== undefined);
  mix("bind", type !== "bind" && (propagation !== undefined || nonRecursive !== undefined));
  mix("tmpfs", type !== "tmpfs" && (size !== undefined || mode !== undefined));
  const dest = normalize(target);
  if (type === "bind") {
    if (source === "") throw invalid(flag, value, `invalid mount config for type "bind": field Source must not be empty`);
    if (!isAbsolute(source)) throw invalid(flag, value, `invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
    return { type, source, target: dest, readonly, ...(propagation !== undefined && { propagation }), ...(nonRecursive && { nonRecursive }) };
  }
  if (type === "volume") {
    if (source === "") return { type, source: randomBytes(32).toString("hex"), target: dest, readonly, anonymous: true, ...(noCopy && { noCopy }) };
    return { type, source, target: dest, readonly, ...(noCopy && { noCopy }) };
  }
  if (type === "tmpfs") {
    if (source !== "") throw invalid(flag, value, `invalid mount config for type "tmpfs": field Source must not be specified`);
    return { type, target: dest, readonly, options: [...(size !== undefined ? [`size=${size}`] : []), ...(mode !== undefined ? [`mode=${mode.toString(8)}`] : [])] };
  }
  throw invalid(flag, value, `invalid mount config: mount type unknown: "${type}" (bind, volume or tmpfs)`);
}

/** `--tmpfs /dir[:opt,opt]` (docker's HostConfig.Tmpfs). */
export function parseTmpfs(value: string): HostMount {
  const colon = value.indexOf(":");
  const target = colon < 0 ? value : value.slice(0, colon);
  const options = colon < 0 ? [] : value.slice(colon + 1).split(",").filter((o) => o !== "");
  if (!isAbsolute(target)) throw invalid("--tmpfs", value, `invalid mount path: '${target}' mount path must be absolute`);
  for (const o of options) {
    if (!/^[a-z_]+(=[A-Za-z0-9.:%_-]+)?$/.test(o) || (o.startsWith("mode=") && !/^mode=[0-7]{1,4}$/.test(o))) throw invalid("--tmpfs", value, `invalid tmpfs option ${o}`);
  }
  return { type: "tmpfs", target: normalize(target), options };
}

/** The flags as HostConfig fields; a malformed value is USAGE (exit 125 in run). */
export function mountHostConfig(f: MountFlags): HostConfig {
  const mounts = [...f.mount.map(parseMount), ...f.tmpfs.map(parseTmpfs)];
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.target)) throw invalid(m.type === "tmpfs" && f.tmpfs.length > 0 ? "--tmpfs" : "--mount", m.target, `Duplicate mount point: ${m.target}`);
    seen.add(m.target);
  }
  return mounts.length > 0 ? { mounts } : {};
}
