/**
 * The host side of `-p`/`-P`: every host port is bound once here, and let go, before the
 * stack binds it, so a port in use fails before the container starts, in docker's words
 * (its daemon's "Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address
 * already in use"); a port left to choose is the kernel's pick (a bind to port 0, from the
 * ephemeral range docker allocates from too); a host range gives its first free port. The
 * default host IP is docker's, 0.0.0.0 (IPv4 only: Strata does not also bind [::]).
 */
import { createSocket } from "node:dgram";
import { createServer, isIP } from "node:net";
import { StrataError } from "../../errors/error.ts";
import type { NetworkRequest, PortMapping } from "./config.ts";
import { type PortRequest, portKey, splitPortKey } from "./publish.ts";

type Protocol = "tcp" | "udp";

/** Binds ip:port (0: any free one) and lets it go; resolves with the port it had, rejects with the system's error. */
function tryBind(ip: string, port: number, protocol: Protocol): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === "tcp") {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen({ host: ip, port, exclusive: true, ipv6Only: isIP(ip) === 6 }, () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === "object" && a !== null ? a.port : port));
      });
      return;
    }
    const sock = createSocket({ type: isIP(ip) === 6 ? "udp6" : "udp4", ipv6Only: isIP(ip) === 6 });
    sock.once("error", (e) => {
      sock.close();
      reject(e);
    });
    sock.bind({ address: ip, port, exclusive: true }, () => {
      const p = sock.address().port;
      sock.close(() => resolve(p));
    });
  });
}

/** Go's net.JoinHostPort: an IPv6 address in brackets. */
export function joinHostPort(ip: string, port: number | string): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const REASONS: Record<string, string> = { EADDRINUSE: "address already in use", EADDRNOTAVAIL: "cannot assign requested address", EACCES: "permission denied" };

function bindError(ip: string, port: number, protocol: Protocol, e: unknown): StrataError {
  const errno = (e as NodeJS.ErrnoException).code ?? "";
  const reason = REASONS[errno] ?? (e as Error).message;
  const message = `driver failed programming external connectivity: Error starting userland proxy: listen ${protocol}${isIP(ip) === 6 ? "6" : "4"} ${joinHostPort(ip, port)}: bind: ${reason}`;
  return new StrataError(errno === "EADDRINUSE" ? "NET_PORT_IN_USE" : "NET_PORT_BIND", message);
}

/** Two bindings that cannot both be had: one protocol and port, the same address or a wildcard. */
function overlaps(a: PortMapping, ip: string, port: number, protocol: Protocol): boolean {
  const wild = (x: string) => x === "0.0.0.0" || x === "::";
  return a.protocol === protocol && a.hostPort === port && (a.hostIp === ip || wild(a.hostIp) || wild(ip));
}

async function bindOne(r: PortRequest, taken: readonly PortMapping[]): Promise<PortMapping> {
  const ip = r.hostIp === "" ? "0.0.0.0" : r.hostIp;
  const mapping = (hostPort: number): PortMapping => ({ containerPort: r.containerPort, protocol: r.protocol, hostIp: ip, hostPort });
  if (r.hostPort === "") return mapping(await tryBind(ip, 0, r.protocol).catch((e) => Promise.reject(bindError(ip, 0, r.protocol, e))));
  const [start, end = start] = r.hostPort.split("-").map(Number) as [number, number?];
  let last: unknown;
  for (let port = start; port <= end; port++) {
    if (taken.some((t) => overlaps(t, ip, port, r.protocol))) {
      if (start === end) throw new StrataError("NET_PORT_IN_USE", `driver failed programming external connectivity: Bind for ${joinHostPort(ip, port)} failed: port is already allocated`);
      continue;
    }
    try {
      return mapping(await tryBind(ip, port, r.protocol));
    } catch (e) {
      last = e;
    }
  }
  throw bindError(ip, end, r.protocol, last);
}

/**
 * The host ports a start publishes: each `-p` request bound (checked free, a random or range
 * port chosen), then with `-P` every exposed port no `-p` names, on a random port of 0.0.0.0.
 */
export async function chooseHostPorts(publish: readonly PortRequest[], publishAll: boolean, exposed: readonly string[]): Promise<PortMapping[]> {
  const requests = [...publish];
  if (publishAll) {
    const named = new Set(publish.map((p) => portKey(p.containerPort, p.protocol)));
    for (const key of exposed) {
      const k = splitPortKey(key);
      if (k !== undefined && !named.has(key)) requests.push({ containerPort: k.port, protocol: k.protocol, hostIp: "", hostPort: "" });
    }
  }
  const out: PortMapping[] = [];
  for (const r of requests) out.push(await bindOne(r, out));
  return out;
}

/**
 * `run`'s check before it creates anything: every host port the request publishes can be
 * bound now (start binds them again, for real), so a port in use leaves no container behind.
 */
export async function checkHostPorts(r: NetworkRequest | undefined): Promise<void> {
  if (r !== undefined && r.mode === "private") await chooseHostPorts(r.publish, false, []);
}
