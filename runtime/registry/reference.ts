import { isIPv4 } from "node:net";
import { type ImageName, parseName } from "../store/names.ts";

/**
 * A remote image reference: where the registry is (host and the scheme to
 * use), the repository, and the tag or digest.
 */
export interface RemoteRef {
  readonly name: ImageName;
  /** The registry as the user names it (docker.io, localhost:5000). */
  readonly registry: string;
  /** host[:port] the API is served on (docker.io → registry-1.docker.io). */
  readonly host: string;
  readonly repository: string;
  /** The tag or digest to fetch or push. */
  readonly reference: string;
}

export function parseRemote(ref: string): RemoteRef {
  const name = parseName(ref);
  const host = name.domain === "docker.io" ? "registry-1.docker.io" : name.domain;
  return { name, registry: name.domain, host, repository: name.path, reference: name.digest ?? name.tag ?? "latest" };
}

function hostnameOf(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  const colon = host.lastIndexOf(":");
  return colon > 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}

/** localhost, 127.0.0.0/8 and ::1: the only places plain HTTP is used without being asked. */
export function isLoopback(host: string): boolean {
  const h = hostnameOf(host).toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return isIPv4(h) && h.startsWith("127.");
}

/**
 * Whether a registry may be spoken to over plain HTTP: a loopback host, or
 * one the user named with --insecure-registry (host[:port], or the hostname
 * alone for every port). Everything else is HTTPS only, as docker does.
 */
export function allowsPlainHttp(host: string, insecure: readonly string[] = []): boolean {
  if (isLoopback(host)) return true;
  const h = host.toLowerCase();
  return insecure.some((i) => {
    const x = i.toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "");
    return x === h || x === hostnameOf(h);
  });
}
