/**
 * A container's /etc/hosts, /etc/resolv.conf and /etc/hostname, as docker writes them
 * (libnetwork's etchosts and resolvconf): written into the container's directory at each
 * start and bind-mounted over the image's (create.ts STANDARD_BINDS makes the mount points).
 *
 * - hosts: docker's defaults (localhost, the ip6 names), then each --add-host, then the
 *   container's own address with its hostname; with the host's network, the host's file with
 *   the --add-host entries after it; with none, no address of its own.
 * - resolv.conf: the host's, its loopback nameservers dropped when the container has a
 *   namespace of its own (the same rule as RUN's, engine/exec/run/network.ts); --dns,
 *   --dns-search and --dns-option replace what they name, written as docker's Build does
 *   (nameservers, then search, then options; `--dns-search .` is no search list).
 */
import { resolvConf } from "../../engine/exec/run/network.ts";
import type { ExtraHost } from "./config.ts";

const DEFAULT_HOSTS = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::0\tip6-localnet", "ff00::0\tip6-mcastprefix", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters"];

export interface HostsInput {
  /** The host's /etc/hosts, for a container on the host's network. */
  readonly hostFile?: string | undefined;
  readonly extra: readonly ExtraHost[];
  /** The container's own record: its address and hostname. */
  readonly self?: { readonly ip: string; readonly hostname: string } | undefined;
}

export function hostsFile(h: HostsInput): string {
  const base = h.hostFile !== undefined ? h.hostFile.replace(/\n+$/, "").split("\n") : DEFAULT_HOSTS;
  const lines = [...base, ...h.extra.map((e) => `${e.ip}\t${e.host}`)];
  if (h.self !== undefined && h.self.ip !== "") lines.push(`${h.self.ip}\t${h.self.hostname}`);
  return `${lines.join("\n")}\n`;
}

export interface ResolvInput {
  /** The host's /etc/resolv.conf. */
  readonly host: string;
  /** Whether the container has a network namespace of its own (the host's loopback is not its own). */
  readonly ownNamespace: boolean;
  readonly dns: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly string[];
}

export function resolvFile(r: ResolvInput): string {
  const base = resolvConf(r.host, r.ownNamespace ? "none" : "host");
  if (r.dns.length === 0 && r.search.length === 0 && r.options.length === 0) return base;
  const values = (key: string) =>
    base
      .split("\n")
      .filter((l) => new RegExp(`^\\s*${key}\\s`).test(l))
      .flatMap((l) => l.trim().split(/\s+/).slice(1));
  const nameservers = r.dns.length > 0 ? r.dns : values("nameserver");
  const search = r.search.length > 0 ? r.search.filter((s) => s !== ".") : values("search");
  const options = r.options.length > 0 ? r.options : values("options");
  const lines = nameservers.map((n) => `nameserver ${n}`);
  if (search.length > 0) lines.push(`search ${search.join(" ")}`);
  if (options.length > 0) lines.push(`options ${options.join(" ")}`);
  return `${lines.join("\n")}\n`;
}
