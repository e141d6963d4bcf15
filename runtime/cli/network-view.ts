/**
 * A container's network as docker's CLI shows it: the `ps` PORTS column (docker/cli's
 * DisplayablePorts: consecutive ports of one address and protocol grouped, `80/tcp` for an
 * exposed port that is not published), `port`'s lines (`80/tcp -> 0.0.0.0:8080`, in
 * natural order), and the inspect fields: Config.Hostname and ExposedPorts,
 * HostConfig.NetworkMode, PortBindings, PublishAllPorts, Dns*, ExtraHosts, and
 * NetworkSettings (Ports, the address, SandboxKey, Networks). Published ports and addresses
 * exist while the container runs; a stopped one shows `{}` and empty strings, as docker's.
 */
import { type NetworkConfig, type PortMapping, isContainerMode, recordNetwork } from "../container/network/config.ts";
import { joinHostPort } from "../container/network/host-ports.ts";
import { portKey, splitPortKey } from "../container/network/publish.ts";
import type { ContainerRecord } from "../container/state.ts";
import type { ContainerStatus } from "../container/status.ts";

interface PortSummary {
  readonly ip?: string;
  readonly privatePort: number;
  readonly publicPort?: number;
  readonly type: string;
}

function running(s: ContainerStatus): boolean {
  return s.state === "running" || s.state === "paused";
}

/** The published mappings of a running container, none otherwise. */
function livePorts(rec: ContainerRecord, s: ContainerStatus): readonly PortMapping[] {
  return running(s) ? (rec.networkState?.ports ?? []) : [];
}

/** docker's NetworkSettings.Ports: each exposed port with its bindings, or null when it is not published. */
export function portMap(rec: ContainerRecord, s: ContainerStatus): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const n = recordNetwork(rec.network);
  if (!running(s) || n.mode !== "private") return {};
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of n.expose) out[key] = null;
  for (const p of livePorts(rec, s)) {
    const key = portKey(p.containerPort, p.protocol);
    out[key] = [...(out[key] ?? []), { HostIp: p.hostIp, HostPort: `${p.hostPort}` }];
  }
  return out;
}

function summaries(rec: ContainerRecord, s: ContainerStatus): PortSummary[] {
  const out: PortSummary[] = [];
  for (const [key, bindings] of Object.entries(portMap(rec, s))) {
    const k = splitPortKey(key);
    if (k === undefined) continue;
    if (bindings === null) out.push({ privatePort: k.port, type: k.protocol });
    else for (const b of bindings) out.push({ ip: b.HostIp, privatePort: k.port, publicPort: Number(b.HostPort), type: k.protocol });
  }
  return out;
}

/** Sorted as docker's comparePorts: private port, then address, public port, protocol. */
function compare(a: PortSummary, b: PortSummary): number {
  if (a.privatePort !== b.privatePort) return a.privatePort - b.privatePort;
  if ((a.ip ?? "") !== (b.ip ?? "")) return (a.ip ?? "") < (b.ip ?? "") ? -1 : 1;
  if ((a.publicPort ?? 0) !== (b.publicPort ?? 0)) return (a.publicPort ?? 0) - (b.publicPort ?? 0);
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const [ipOrType = "", type] = key.split("/");
  const range = first === last ? `${first}` : `${first}-${last}`;
  return type === undefined ? `${range}/${ipOrType}` : `${joinHostPort(ipOrType, range)}->${range}/${type}`;
}

/** docker ps's PORTS: `0.0.0.0:8080->80/tcp, 443/tcp`. */
export function displayablePorts(rec: ContainerRecord, s: ContainerStatus): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const mappings: string[] = [];
  for (const p of summaries(rec, s).sort(compare)) {
    let key = p.type;
    if (p.ip !== undefined) {
      if (p.publicPort !== p.privatePort) {
        mappings.push(`${joinHostPort(p.ip, p.publicPort ?? 0)}->${p.privatePort}/${p.type}`);
        continue;
      }
      key = `${p.ip}/${p.type}`;
    }
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { first: p.privatePort, last: p.privatePort });
    else if (p.privatePort === g.last + 1) g.last = p.privatePort;
    else {
      result.push(formGroup(key, g.first, g.last));
      groups.set(key, { first: p.privatePort, last: p.privatePort });
    }
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...mappings].join(", ");
}

/** sortorder.NaturalLess: digit runs compare as numbers. */
function naturalCompare(a: string, b: string): number {
  const parts = (x: string) => x.match(/\d+|\D+/g) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** docker port's lines: every mapping `80/tcp -> 0.0.0.0:8080`, or one port's `0.0.0.0:8080` (undefined: that port is not published). */
export function portLines(rec: ContainerRecord, s: ContainerStatus, port?: { port: number; protocol: string }): string[] | undefined {
  const map = portMap(rec, s);
  let out: string[];
  if (port !== undefined) {
    const bindings = map[portKey(port.port, port.protocol)];
    if (bindings === undefined || bindings === null || bindings.length === 0) return undefined;
    out = bindings.map((b) => joinHostPort(b.HostIp, b.HostPort));
  } else out = Object.entries(map).flatMap(([key, bindings]) => (bindings ?? []).map((b) => `${key} -> ${joinHostPort(b.HostIp, b.HostPort)}`));
  return out.sort(naturalCompare);
}

/** ps's NETWORKS: the mode's name; none for a container sharing another's namespace (docker lists no network then). */
export function networkNames(rec: ContainerRecord): string {
  const mode = recordNetwork(rec.network).mode;
  return isContainerMode(mode) ? "" : mode;
}

/** The inspect Config fields of the network. */
export function networkConfigFields(rec: ContainerRecord): { Hostname: string; ExposedPorts?: Record<string, object> } {
  const n: NetworkConfig = recordNetwork(rec.network);
  const hostname = rec.networkState?.hostname ?? n.hostname ?? rec.id.slice(0, 12);
  return { Hostname: hostname, ...(n.expose.length > 0 && { ExposedPorts: Object.fromEntries(n.expose.map((k) => [k, {}])) }) };
}

/** The inspect HostConfig fields of the network. */
export function networkHostConfig(rec: ContainerRecord): Record<string, unknown> {
  const n = recordNetwork(rec.network);
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of n.publish) {
    const key = portKey(p.containerPort, p.protocol);
    bindings[key] = [...(bindings[key] ?? []), { HostIp: p.hostIp, HostPort: p.hostPort }];
  }
  return {
    NetworkMode: n.mode,
    PortBindings: bindings,
    PublishAllPorts: n.publishAll,
    Dns: n.dns,
    DnsOptions: n.dnsOptions,
    DnsSearch: n.dnsSearch,
    ExtraHosts: n.extraHosts.length === 0 ? null : n.extraHosts.map((h) => `${h.host}:${h.ip}`),
  };
}

/** docker's NetworkSettings: the address and ports while the container runs. */
export function networkSettings(rec: ContainerRecord, s: ContainerStatus): Record<string, unknown> {
  const n = recordNetwork(rec.network);
  const st = running(s) ? rec.networkState : undefined;
  const endpoint = { IPAMConfig: null, Links: null, Aliases: null, MacAddress: "", NetworkID: "", EndpointID: "", Gateway: st?.gateway ?? "", IPAddress: st?.ipAddress ?? "", IPPrefixLen: st?.prefixLen ?? 0, IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null };
  return {
    Bridge: "",
    SandboxID: "",
    SandboxKey: st?.sandboxKey ?? "",
    Ports: portMap(rec, s),
    HairpinMode: false,
    LinkLocalIPv6Address: "",
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: "",
    Gateway: endpoint.Gateway,
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    IPAddress: endpoint.IPAddress,
    IPPrefixLen: endpoint.IPPrefixLen,
    IPv6Gateway: "",
    MacAddress: "",
    Networks: isContainerMode(n.mode) ? {} : { [n.mode]: endpoint },
  };
}
