/**
 * A container's network, set up before its process starts and torn down when it ends for
 * good (not between restarts). What lives in the container's dir:
 *
 *   net/netns        the private namespace, bind-mounted (netns.ts); runc joins it by path
 *   net/pasta.pid    the stack's pid, net/pasta.log its messages (pasta.ts)
 *   hosts resolv.conf hostname   the /etc files bind-mounted into the container (etc-files.ts)
 *
 * `setupNetwork` first removes what a start before it left (a monitor killed before its
 * teardown), then per mode: `private` binds the host ports (host-ports.ts: a port in use fails
 * here, before anything runs), makes the namespace and starts pasta on it; `host` and `none`
 * need no process (runc makes none's namespace); `container:NAME` joins the namespace of that
 * running container through /proc/PID/ns/net and uses its /etc files and hostname, as docker
 * does. `teardownNetwork` undoes it.
 */
import { lstat, mkdir, readFile, rm } from "node:fs/promises";
import { hostname as hostHostname } from "node:os";
import { join } from "node:path";
import { atomicWrite } from "../../fs/atomic-write.ts";
import { StrataError } from "../../errors/error.ts";
import type { ExtraMount } from "../../runc/spec.ts";
import { type NetworkConfig, type NetworkState, isContainerMode, recordNetwork } from "./config.ts";
import { hostsFile, resolvFile } from "./etc-files.ts";
import { chooseHostPorts } from "./host-ports.ts";
import { defaultRoute } from "./host-route.ts";
import { createNetns, removeNetns } from "./netns.ts";
import { startPasta, stopPasta } from "./pasta.ts";

/** What setup needs to know of a container (the record's fields, and the container it joins). */
export interface NetworkTarget {
  readonly id: string;
  /** The container's dir (`containers/<id>`). */
  readonly dir: string;
  /** Absent in a record older than networks: the host's network, as it had. */
  readonly network: NetworkConfig | undefined;
  /** For `container:NAME`: that container while it runs (undefined when it does not), and the hostname its start gave it. */
  readonly joined?: { readonly pid: number; readonly dir: string; readonly hostname: string } | undefined;
}

/** The runc spec's network (SpecInput `network`, `netnsPath`), the hostname, the /etc mounts and the record's state. */
export interface NetworkSetup {
  readonly network: "host" | "none";
  readonly netnsPath?: string | undefined;
  readonly hostname: string;
  readonly mounts: readonly ExtraMount[];
  readonly state: NetworkState;
}

export function netPaths(dir: string): { dir: string; netns: string; pid: string; log: string } {
  const net = join(dir, "net");
  return { dir: net, netns: join(net, "netns"), pid: join(net, "pasta.pid"), log: join(net, "pasta.log") };
}

/** The bind mounts of a container's /etc files, from the dir that holds them (its own, or the joined container's). */
function etcMounts(dir: string): ExtraMount[] {
  return ["resolv.conf", "hosts", "hostname"].map((f) => ({ destination: `/etc/${f}`, source: join(dir, f), type: "bind", options: ["rbind", "rw"] }));
}

const NO_STATE = { ports: [], ipAddress: "", prefixLen: 0, gateway: "", sandboxKey: "" } as const;

export async function setupNetwork(t: NetworkTarget): Promise<NetworkSetup> {
  const n = recordNetwork(t.network);
  await teardownNetwork(t.dir);
  if (isContainerMode(n.mode)) {
    if (t.joined === undefined) throw new StrataError("NET_JOIN", `cannot join network of a non running container: ${n.mode.slice("container:".length)}`);
    // From the joined container's record, not its /etc/hostname, which that container may rewrite.
    const hostname = t.joined.hostname;
    return { network: "none", netnsPath: `/proc/${t.joined.pid}/ns/net`, hostname, mounts: etcMounts(t.joined.dir), state: { ...NO_STATE, hostname } };
  }
  const hostname = n.hostname ?? (n.mode === "host" ? hostHostname() : t.id.slice(0, 12));
  const route = n.mode === "none" ? undefined : await defaultRoute();
  if (n.mode === "private" && route === undefined) throw new StrataError("NET_SETUP", "a private network needs an IPv4 default route on the host (pasta copies its interface into the namespace), and this host has none; run with --network host or --network none");
  // docker's host-gateway: the gateway pasta maps to the host (private), the host's own address (host).
  const gateway = n.mode === "private" ? (route?.gateway ?? "") : (route?.address ?? "127.0.0.1");
  const extra = n.extraHosts.map((h) => (h.ip === "host-gateway" ? { host: h.host, ip: gateway } : h));
  let state: NetworkState = { ...NO_STATE, hostname };
  if (n.mode === "private" && route !== undefined) {
    const ports = await chooseHostPorts(n.publish, n.publishAll, n.expose);
    const p = netPaths(t.dir);
    await mkdir(p.dir, { recursive: true });
    try {
      await createNetns(p.netns);
      await startPasta({ netns: p.netns, pidFile: p.pid, logFile: p.log, ports, hostLoopback: n.hostLoopback || n.extraHosts.some((h) => h.ip === "host-gateway") });
    } catch (e) {
      await teardownNetwork(t.dir);
      throw e;
    }
    state = { ports, ipAddress: route.address, prefixLen: route.prefixLen, gateway: route.gateway, sandboxKey: p.netns, hostname };
  }
  const hostFile = n.mode === "host" ? await readFile("/etc/hosts", "utf8").catch(() => "") : undefined;
  const self = state.ipAddress === "" ? undefined : { ip: state.ipAddress, hostname };
  const resolv = await readFile("/etc/resolv.conf", "utf8").catch(() => "");
  await atomicWrite(join(t.dir, "hosts"), hostsFile({ hostFile, extra, self }), t.dir, 0o644);
  await atomicWrite(join(t.dir, "resolv.conf"), resolvFile({ host: resolv, ownNamespace: n.mode !== "host", dns: n.dns, search: n.dnsSearch, options: n.dnsOptions }), t.dir, 0o644);
  await atomicWrite(join(t.dir, "hostname"), `${hostname}\n`, t.dir, 0o644);
  return { network: n.mode === "host" ? "host" : "none", netnsPath: state.sandboxKey || undefined, hostname, mounts: etcMounts(t.dir), state };
}

/** Stops the stack and removes the namespace of the container whose dir is `dir` (nothing when it has none). */
export async function teardownNetwork(dir: string): Promise<void> {
  const p = netPaths(dir);
  if ((await lstat(p.dir).catch(() => undefined)) === undefined) return;
  await stopPasta(p.pid, p.netns);
  await removeNetns(p.netns);
  await rm(p.dir, { recursive: true, force: true });
}

