/**
 * A container's network as `docker run` asks for it (`--network`, `-p`, `-P`, `--expose`,
 * `--hostname`, `--add-host`, `--dns*`), checked with docker's rules and kept in the
 * container's record (ContainerRecord.network), and what a start made of it
 * (ContainerRecord.networkState). Pure: no file, no process.
 *
 * Modes: `private` (the default; docker's `bridge` and `default` are read as it): a network
 * namespace of the container's own, reached through a user-mode stack (pasta.ts), so no bridge
 * and no host route is made; `host`: the host's namespace; `none`: a namespace with only `lo`;
 * `container:NAME`: the namespace of another, running container.
 */
import { StrataError } from "../../errors/error.ts";
import { invalidNetwork } from "./errors.ts";
import { type PortRequest, portKey } from "./publish.ts";

export type { PortRequest } from "./publish.ts";

/** An /etc/hosts entry of --add-host; `ip` may be docker's `host-gateway`, resolved at each start. */
export interface ExtraHost {
  readonly host: string;
  readonly ip: string;
}

/** What the command line asked for (before the image and the store are looked at). */
export interface NetworkRequest {
  /** "private", "host", "none" or "container:<name or id as given>". */
  readonly mode: string;
  readonly hostname?: string | undefined;
  readonly publish: readonly PortRequest[];
  readonly publishAll: boolean;
  /** `--expose` ports and the ports `-p` names, as docker's "80/tcp" keys. */
  readonly expose: readonly string[];
  readonly extraHosts: readonly ExtraHost[];
  readonly dns: readonly string[];
  readonly dnsSearch: readonly string[];
  readonly dnsOptions: readonly string[];
  /**
   * `--network private:host-loopback`: the gateway address reaches the host's loopback
   * (pasta maps it; off by default, as rootless docker's and podman's are, so a container
   * does not reach services bound to the host's 127.0.0.1). `--add-host NAME:host-gateway`
   * turns it on: that entry exists to reach the host.
   */
  readonly hostLoopback: boolean;
}

/** What the record keeps: the request, with the image's EXPOSE ports and the joined container's ID. */
export interface NetworkConfig extends NetworkRequest {
  /** For `container:NAME`: the ID NAME had when the container was created. */
  readonly joinId?: string | undefined;
}

/** One published port as a start bound it. */
export interface PortMapping {
  readonly containerPort: number;
  readonly protocol: "tcp" | "udp";
  readonly hostIp: string;
  readonly hostPort: number;
}

/** What the last start set up (ContainerRecord.networkState); meaningful while the container runs. */
export interface NetworkState {
  readonly ports: readonly PortMapping[];
  /** The namespace's address (pasta copies the host's), its prefix length and gateway; "" when none. */
  readonly ipAddress: string;
  readonly prefixLen: number;
  readonly gateway: string;
  /** The bind-mounted namespace file (docker's SandboxKey), "" when the container has none of its own. */
  readonly sandboxKey: string;
  /** The hostname the container got (docker's Config.Hostname once it started). */
  readonly hostname: string;
}

/** The default: the request of a `run` with no network flag. */
export const DEFAULT_NETWORK: NetworkRequest = { mode: "private", publish: [], publishAll: false, expose: [], extraHosts: [], dns: [], dnsSearch: [], dnsOptions: [], hostLoopback: false };

/**
 * `--network VALUE`: the mode it names and whether the gateway reaches the host's loopback.
 * docker's `bridge`/`default` are `private`; an unknown name is docker's "network X not found".
 */
export function parseNetworkMode(value: string): { mode: string; hostLoopback: boolean } {
  const [name = "", ...opts] = value.split(":");
  if (name === "container") {
    const ref = value.slice("container:".length);
    if (ref === "") throw invalidNetwork("Invalid network mode: invalid container format container:<name|id>");
    return { mode: `container:${ref}`, hostLoopback: false };
  }
  if (name === "private" || name === "bridge" || name === "default") {
    const flags = opts.join(":").split(",").filter((o) => o !== "");
    for (const o of flags) if (o !== "host-loopback") throw invalidNetwork(`invalid option "${o}" for network private: the one option is host-loopback`);
    return { mode: "private", hostLoopback: flags.includes("host-loopback") };
  }
  if ((name === "host" || name === "none") && opts.length === 0) return { mode: name, hostLoopback: false };
  throw new StrataError("NET_NOT_FOUND", `network ${value} not found: Strata's networks are private (the default), host, none and container:NAME`);
}

export function isContainerMode(mode: string): boolean {
  return mode.startsWith("container:");
}

/** docker's daemon rules (runconfig validateNetContainerMode): what a `container:` mode cannot have. */
export function checkNetworkRequest(r: NetworkRequest, explicitExpose: boolean): void {
  if (!isContainerMode(r.mode)) return;
  if (r.hostname !== undefined) throw invalidNetwork("conflicting options: hostname and the network mode");
  if (r.dns.length > 0) throw invalidNetwork("conflicting options: dns and the network mode");
  if (r.extraHosts.length > 0) throw invalidNetwork("conflicting options: custom host-to-IP mapping and the network mode");
  if (r.publish.length > 0 || r.publishAll) throw invalidNetwork("conflicting options: port publishing and the container type network mode");
  if (explicitExpose) throw invalidNetwork("conflicting options: port exposing and the container type network mode");
}

/** Linux's limit on a hostname (sethostname: 64 bytes), and the characters a DNS label takes. */
export function checkHostname(name: string): string {
  if (name.length > 64 || !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(name)) throw invalidNetwork(`invalid hostname format: ${name}`);
  return name;
}

/**
 * The record's network from a request and the image's ExposedPorts: every port the image
 * exposes, `--expose` names or `-p` publishes is an exposed port, as docker's Config.ExposedPorts.
 */
export function networkConfig(r: NetworkRequest, imageExposed: Record<string, unknown> | undefined, joinId?: string): NetworkConfig {
  const expose = [...new Set([...Object.keys(imageExposed ?? {}), ...r.expose, ...r.publish.map((p) => portKey(p.containerPort, p.protocol))])];
  return { ...r, expose: isContainerMode(r.mode) ? [] : expose, ...(joinId !== undefined && { joinId }) };
}

/** The network of a record: an old record (made before containers had networks) shared the host's. */
export function recordNetwork(n: NetworkConfig | undefined): NetworkConfig {
  return n ?? { ...DEFAULT_NETWORK, mode: "host" };
}
