/**
 * `-p/--publish` and `--expose` values, read as docker reads them (go-connections'
 * nat.ParsePortSpec, with its messages): `[IP:][HOST:]CONTAINER[/PROTO]`, each port part a
 * number or a `START-END` range; an IPv6 IP in brackets. A host range with one container
 * port is the range to pick a free host port from. Strata's stack forwards tcp and udp, so
 * sctp is refused here rather than at start.
 */
import { isIP } from "node:net";
import { invalidNetwork } from "./errors.ts";

/** One container port to publish: its host IP ("" = docker's default, 0.0.0.0) and host port ("" = any free one, "A-B" = a free one of the range). */
export interface PortRequest {
  readonly containerPort: number;
  readonly protocol: "tcp" | "udp";
  readonly hostIp: string;
  readonly hostPort: string;
}

/** docker's key of a container port: "80/tcp". */
export function portKey(port: number, protocol: string): string {
  return `${port}/${protocol}`;
}

/** A port or `START-END` (nat.ParsePortRange), or undefined when it is neither. */
function portRange(text: string): [number, number] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (m === null) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

function protocolOf(text: string | undefined): "tcp" | "udp" {
  const proto = (text === undefined || text === "" ? "tcp" : text).toLowerCase();
  if (proto === "tcp" || proto === "udp") return proto;
  if (proto === "sctp") throw invalidNetwork("invalid proto: sctp (Strata publishes tcp and udp ports)");
  throw invalidNetwork(`invalid proto: ${proto}`);
}

/** docker's split of `IP:HOST:CONTAINER` (an IPv6 IP has colons of its own: all but the last two parts). */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(":");
  if (parts.length === 1) return ["", "", parts[0] as string];
  if (parts.length === 2) return ["", parts[0] as string, parts[1] as string];
  return [parts.slice(0, -2).join(":"), parts.at(-2) as string, parts.at(-1) as string];
}

/** One `-p` value as the port requests it stands for (a range is one request per port). */
export function parsePublish(raw: string): PortRequest[] {
  const [rawIp, hostPort, rest] = splitParts(raw);
  const slash = rest.indexOf("/");
  const containerPort = slash < 0 ? rest : rest.slice(0, slash);
  const protocol = protocolOf(slash < 0 ? undefined : rest.slice(slash + 1));
  let ip = rawIp;
  if (ip.startsWith("[")) {
    if (!ip.endsWith("]")) throw invalidNetwork(`invalid IP address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== "" && isIP(ip) === 0) throw invalidNetwork(`invalid IP address: ${ip}`);
  if (containerPort === "") throw invalidNetwork(`no port specified: ${raw}<empty>`);
  const range = portRange(containerPort);
  if (range === undefined) throw invalidNetwork(`invalid containerPort: ${containerPort}`);
  const [start, end] = range;
  let hostRange: [number, number] | undefined;
  if (hostPort !== "") {
    hostRange = portRange(hostPort);
    if (hostRange === undefined) throw invalidNetwork(`invalid hostPort: ${hostPort}`);
    if (end - start !== hostRange[1] - hostRange[0] && end !== start) throw invalidNetwork(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  const count = end - start + 1;
  const out: PortRequest[] = [];
  for (let i = 0; i < count; i++) {
    let host = "";
    if (hostRange !== undefined) {
      host = `${hostRange[0] + i}`;
      if (count === 1 && hostRange[0] !== hostRange[1]) host += `-${hostRange[1]}`;
    }
    out.push({ containerPort: start + i, protocol, hostIp: ip, hostPort: host });
  }
  return out;
}

/** One `--expose` value (`80`, `8000-8010`, `53/udp`) as its "80/tcp" keys. */
export function parseExpose(raw: string): string[] {
  const slash = raw.indexOf("/");
  const ports = slash < 0 ? raw : raw.slice(0, slash);
  const protocol = protocolOf(slash < 0 ? undefined : raw.slice(slash + 1));
  const range = portRange(ports);
  if (range === undefined) throw invalidNetwork(`invalid range format for --expose: ${raw}`);
  const keys: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) keys.push(portKey(p, protocol));
  return keys;
}

/** An "80/tcp" key's port and protocol (the image's ExposedPorts keys; a bare "80" is tcp). */
export function splitPortKey(key: string): { port: number; protocol: "tcp" | "udp" } | undefined {
  const [port = "", proto = "tcp"] = key.split("/");
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535 || (proto !== "tcp" && proto !== "udp")) return undefined;
  return { port: n, protocol: proto };
}
