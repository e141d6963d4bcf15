/**
 * `run`'s (and `create`'s) network flags, as docker's: `--network` (`--net`), `-p/--publish`,
 * `-P/--publish-all`, `--expose`, `-h/--hostname`, `--add-host`, `--dns`, `--dns-search`,
 * `--dns-option` (`--dns-opt`). `addNetworkFlags` puts them on a command (docker's `-h` is
 * the hostname, so the command's help is `--help` only); `networkOptions` turns what was
 * parsed into CreateOptions' `network`, checked with docker's rules (NET_INVALID, exit 125),
 * and prints docker's warning when `--network host` discards `-p`.
 */
import { isIP } from "node:net";
import { type Command, Option } from "commander";
import { type NetworkRequest, checkHostname, checkNetworkRequest, parseNetworkMode } from "../../container/network/config.ts";
import { invalidNetwork } from "../../container/network/errors.ts";
import { parseExpose, parsePublish } from "../../container/network/publish.ts";
import { collect } from "../options.ts";
import { parseExtraHost } from "../run-flags.ts";

export interface NetworkFlags {
  network?: string;
  net?: string;
  publish: string[];
  publishAll?: boolean;
  expose: string[];
  hostname?: string;
  addHost: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOption: string[];
  dnsOpt: string[];
}

export function addNetworkFlags(c: Command): Command {
  return c
    .helpOption("--help", "display help for command")
    .option("--network <mode>", "private (the default: its own namespace, through pasta), host, none or container:NAME; private:host-loopback lets the gateway reach the host's loopback")
    .addOption(new Option("--net <mode>", "the same as --network").hideHelp())
    .option("-p, --publish <[ip:][hostPort:]containerPort[/proto]>", "publish a container port on the host (ranges, udp; default host ip 0.0.0.0); repeatable", collect, [])
    .option("-P, --publish-all", "publish every exposed port on a random host port")
    .option("--expose <port[/proto]>", "expose a port or a range of ports; repeatable", collect, [])
    .option("-h, --hostname <name>", "the container's hostname")
    .option("--add-host <host:ip>", "an /etc/hosts entry (ip host-gateway: the host); repeatable", collect, [])
    .option("--dns <ip>", "a nameserver for /etc/resolv.conf; repeatable", collect, [])
    .option("--dns-search <domain>", "a search domain for /etc/resolv.conf (. for none); repeatable", collect, [])
    .option("--dns-option <option>", "an option for /etc/resolv.conf; repeatable", collect, [])
    .addOption(new Option("--dns-opt <option>", "the same as --dns-option").hideHelp().argParser(collect).default([]));
}

export function networkOptions(f: NetworkFlags): { network: NetworkRequest } {
  const { mode, hostLoopback } = parseNetworkMode(f.network ?? f.net ?? "private");
  for (const d of f.dns) if (isIP(d) === 0) throw invalidNetwork(`invalid argument "${d}" for "--dns" flag: IP address is not correctly formatted: ${d}`);
  for (const s of f.dnsSearch) if (s !== "." && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?\.?$/.test(s)) throw invalidNetwork(`invalid argument "${s}" for "--dns-search" flag: ${s} is not a valid domain`);
  const network: NetworkRequest = {
    mode,
    hostname: f.hostname === undefined ? undefined : checkHostname(f.hostname),
    publish: f.publish.flatMap(parsePublish),
    publishAll: f.publishAll ?? false,
    expose: f.expose.flatMap(parseExpose),
    extraHosts: f.addHost.map(parseExtraHost),
    dns: f.dns,
    dnsSearch: f.dnsSearch,
    dnsOptions: [...f.dnsOption, ...f.dnsOpt],
    hostLoopback,
  };
  checkNetworkRequest(network, f.expose.length > 0);
  if (mode === "host" && network.publish.length > 0) process.stderr.write("WARNING: Published ports are discarded when using host network mode\n");
  return { network };
}
