import { statSync } from "node:fs";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { Command } from "commander";
import { parseSize } from "../../compiler/dockerfile/instructions/mount.ts";
import { ENTITLEMENTS, type Entitlement, type RunEnvironment } from "../engine/exec/run/environment.ts";
import type { SshSource } from "../engine/exec/run/ssh-agents.ts";
import { StrataError } from "../errors/error.ts";

/** docker's (and pflag's) message for a bad flag value, a USAGE error before any work. */
export function invalid(flag: string, value: string, why: string): StrataError {
  return new StrataError("USAGE", `invalid argument "${value}" for "${flag}" flag: ${why}`);
}

/** go-units' ulimit names (docker run/build --ulimit). */
const ULIMITS = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

/** `--ulimit NAME=SOFT[:HARD]`, as go-units ParseUlimit reads it; -1 is unlimited (docker's daemon makes it RLIM_INFINITY). */
export function parseUlimit(value: string): { name: string; soft: number; hard: number } {
  const [name, limits, ...rest] = value.split("=");
  if (name === undefined || limits === undefined || rest.length > 0) throw invalid("--ulimit", value, `invalid ulimit argument: ${value}`);
  if (!ULIMITS.includes(name)) throw invalid("--ulimit", value, `invalid ulimit type: ${name}`);
  const parts = limits.split(":");
  if (parts.length > 2 || parts.some((p) => !/^(?:\d+|-1)$/.test(p))) throw invalid("--ulimit", value, `too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``);
  const soft = Number(parts[0]);
  const hard = Number(parts[1] ?? parts[0]);
  if (soft > hard) throw invalid("--ulimit", value, `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { name, soft, hard };
}

/** A repeated --ulimit of one name replaces the earlier one. */
function addUlimit(value: string, previous: { name: string; soft: number; hard: number }[]): { name: string; soft: number; hard: number }[] {
  const u = parseUlimit(value);
  return [...previous.filter((p) => p.name !== u.name), u];
}

/** What `host-gateway` stands for: an address of the host (RUN shares its network namespace; no bridge exists to have a gateway). */
function hostGateway(): string {
  const v4 = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === "IPv4" && !a.internal);
  return v4?.address ?? "127.0.0.1";
}

/** `--add-host HOST:IP` (or HOST=IP), as docker's ValidateExtraHost; `host-gateway` is kept as written (build and run resolve it each their way). */
export function parseExtraHost(value: string): { host: string; ip: string } {
  const sep = value.includes("=") ? value.indexOf("=") : value.indexOf(":");
  const host = value.slice(0, sep);
  let ip = value.slice(sep + 1);
  if (sep <= 0 || ip === "") throw invalid("--add-host", value, `bad format for add-host: "${value}"`);
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  if (ip !== "host-gateway" && isIP(ip) === 0) throw invalid("--add-host", value, `invalid IP address in add-host: "${ip}"`);
  return { host, ip };
}

/** build's `--add-host`: `host-gateway` is the host's address. */
export function parseAddHost(value: string): { host: string; ip: string } {
  const h = parseExtraHost(value);
  return h.ip === "host-gateway" ? { host: h.host, ip: hostGateway() } : h;
}

/** `--network`: BuildKit's modes (buildx refuses others with this message). */
export function parseNetwork(value: string): "default" | "none" | "host" {
  if (value === "default" || value === "none" || value === "host") return value;
  throw new StrataError("USAGE", `network mode "${value}" not supported by buildkit - use default, none or host`);
}

/** `--shm-size`: docker's MemBytes (go-units RAMInBytes). */
export function parseShmSize(value: string): number {
  const n = parseSize(value);
  if (n === undefined || n <= 0) throw invalid("--shm-size", value, `invalid size: '${value}'`);
  return n;
}

/** `--allow E[,E]`: buildx's entitlements. */
export function parseAllow(value: string, previous: Entitlement[]): Entitlement[] {
  const out = [...previous];
  for (const e of value.split(",")) {
    if (!(ENTITLEMENTS as readonly string[]).includes(e)) throw invalid("--allow", value, `unknown entitlement ${e}`);
    out.push(e as Entitlement);
  }
  return out;
}

/** The kind of a path --ssh names: a socket, a key file, or why it is neither. */
function sshPath(flag: string, path: string): "socket" | "key" {
  try {
    const st = statSync(path);
    if (st.isSocket()) return "socket";
    if (st.isFile()) return "key";
  } catch (e) {
    throw invalid("--ssh", flag, `failed to stat ${path}: ${(e as Error).message}`);
  }
  throw invalid("--ssh", flag, `${path} is neither an agent socket nor a key file`);
}

/**
 * `--ssh ID[=SOCKET|KEY[,KEY]]`, as BuildKit's sshprovider reads it: no path means $SSH_AUTH_SOCK;
 * one socket is forwarded; key files are loaded into an agent of the build's own (engine/exec/run/ssh-agents.ts).
 */
export function parseSsh(value: string, previous: Map<string, SshSource> | undefined): Map<string, SshSource> {
  const eq = value.indexOf("=");
  const id = eq < 0 ? value : value.slice(0, eq);
  const paths = eq < 0 ? [] : value.slice(eq + 1).split(",").filter((p) => p !== "");
  if (id === "") throw invalid("--ssh", value, "an id is required: default or ID=SOCKET|KEY");
  if (paths.length === 0) paths.push(process.env.SSH_AUTH_SOCK ?? "");
  if (paths[0] === "") throw invalid("--ssh", value, "invalid empty ssh agent socket, make sure SSH_AUTH_SOCK is set");
  const kinds = paths.map((p) => sshPath(value, p));
  if (kinds.includes("socket") && paths.length > 1) throw invalid("--ssh", value, "only one agent socket per id, and no key files with it");
  const source: SshSource = kinds[0] === "socket" ? { socket: paths[0] as string } : { keys: paths };
  return new Map([...(previous ?? []), [id, source]]);
}

/** build `--security-opt`: only `seccomp=unconfined` (RUN steps have the default profile otherwise; RUN --security=insecure has none). */
export function parseBuildSecurityOpt(value: string): "unconfined" {
  if (/^seccomp[=:]unconfined$/.test(value)) return "unconfined";
  throw invalid("--security-opt", value, "build takes only seccomp=unconfined (RUN steps run under the default seccomp profile)");
}

export interface RunFlags {
  ssh?: Map<string, SshSource>;
  addHost: { host: string; ip: string }[];
  network?: "default" | "none" | "host";
  shmSize?: number;
  ulimit: { name: string; soft: number; hard: number }[];
  allow: Entitlement[];
  securityOpt?: "unconfined";
}

/** The `build` options that set what every RUN gets (engine/exec/run/environment.ts). */
export function runFlagOptions(cmd: Command): Command {
  return cmd
    .option("--ssh <id[=socket|key,...]>", "an SSH agent for RUN --mount=type=ssh: default (or ID) takes $SSH_AUTH_SOCK, ID=SOCKET names one, ID=KEY[,KEY] loads keys into an agent of the build; repeatable", parseSsh)
    .option("--add-host <host:ip>", "an /etc/hosts entry for RUN (ip host-gateway: the host's address); repeatable", (v: string, p: { host: string; ip: string }[]) => [...p, parseAddHost(v)], [])
    .option("--network <mode>", "the network of RUN steps without their own --network: default, none or host", parseNetwork)
    .option("--shm-size <bytes>", "the size of RUN's /dev/shm (default 64m)", parseShmSize)
    .option("--ulimit <name=soft[:hard]>", "a resource limit of RUN steps (nofile=1024:2048, -1 unlimited); repeatable", addUlimit, [])
    .option("--allow <entitlement>", "grant network.host or security.insecure to RUN --network=host / --security=insecure; repeatable", parseAllow, [])
    .option("--security-opt <seccomp=unconfined>", "run RUN steps without the default seccomp profile", parseBuildSecurityOpt);
}

/** The engine's RunEnvironment from the parsed flags. */
export function runEnvironment(f: RunFlags): RunEnvironment {
  return { network: f.network, extraHosts: f.addHost, shmSize: f.shmSize, ulimits: f.ulimit, ssh: f.ssh, allow: new Set(f.allow), seccomp: f.securityOpt };
}

