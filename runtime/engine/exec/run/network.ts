import { readFile } from "node:fs/promises";
import type { RunOp } from "../../../../compiler/ir/graph.ts";
import type { ExtraMount } from "../../../runc/spec.ts";
import type { Scratch } from "./scratch.ts";

/** The hostname BuildKit gives every RUN container. */
export const SANDBOX_HOSTNAME = "buildkitsandbox";

/**
 * RUN --network, as BuildKit's OCI worker does it without CNI.
 *
 * - `default` is host networking here. BuildKit's default network mode is
 *   "auto": CNI when buildkitd has a CNI config, else the host's network.
 *   This machine has no bridge and no CNI plugins, so Strata always takes
 *   the host branch (docker's own builder, with its bridge, would isolate).
 * - `host` shares the host's network namespace.
 * - `none` gets a new, empty network namespace: runc adds its loopback
 *   interface and brings it up (lo UP with 127.0.0.1 and ::1, as in BuildKit).
 */
export function networkMode(op: RunOp): "host" | "none" {
  return op.network === "none" ? "none" : "host";
}

/** BuildKit's generated /etc/hosts (oci.GetHostsFile): localhost, then each --add-host as `IP<tab>HOST`. */
export function hostsFile(hostname = SANDBOX_HOSTNAME, extra: readonly { readonly host: string; readonly ip: string }[] = []): string {
  return `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n${extra.map((h) => `${h.ip}\t${h.host}\n`).join("")}`;
}

const DEFAULT_NAMESERVERS = ["nameserver 8.8.8.8", "nameserver 8.8.4.4", "nameserver 2001:4860:4860::8888", "nameserver 2001:4860:4860::8844"];

/**
 * BuildKit's /etc/resolv.conf (oci.GetResolvConf): the host's, as it is for
 * host networking; otherwise with the localhost nameservers filtered out
 * (they cannot be reached from another namespace), and Google's public ones
 * when none is left.
 */
export function resolvConf(host: string, mode: "host" | "none"): string {
  const nameservers = (text: string) => text.split("\n").filter((l) => /^\s*nameserver\s+\S+/.test(l));
  if (mode === "host" && nameservers(host).length > 0) return host;
  const isLocal = (l: string) => /^\s*nameserver\s+(127\.|::1\b|0\.0\.0\.0)/.test(l);
  const kept = host.split("\n").filter((l) => !isLocal(l));
  let text = kept.join("\n");
  if (nameservers(text).length === 0) text = `${text.trimEnd()}${text.trim() === "" ? "" : "\n"}${DEFAULT_NAMESERVERS.join("\n")}\n`;
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** The /etc/hosts and /etc/resolv.conf bind mounts (read-only, from the scratch tmpfs), for every network mode. */
export async function networkFiles(scratch: Scratch, mode: "host" | "none", extraHosts: RunOp["extraHosts"] = []): Promise<ExtraMount[]> {
  const host = await readFile("/etc/resolv.conf", "utf8").catch(() => "");
  const hosts = await scratch.file("etc/hosts", hostsFile(SANDBOX_HOSTNAME, extraHosts), 0o644);
  const resolv = await scratch.file("etc/resolv.conf", resolvConf(host, mode), 0o644);
  return [
    { destination: "/etc/resolv.conf", source: resolv, type: "bind", options: ["rbind", "ro"] },
    { destination: "/etc/hosts", source: hosts, type: "bind", options: ["rbind", "ro"] },
  ];
}
