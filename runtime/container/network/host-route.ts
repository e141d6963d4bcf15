/**
 * The host's IPv4 default route: the interface pasta copies into a private namespace (its
 * "template interface"), that interface's address and prefix, and the gateway. Read from
 * /proc/net/route and os.networkInterfaces(), as pasta itself picks them, so a container's
 * record says what its namespace has without looking inside it.
 */
import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";

export interface HostRoute {
  readonly iface: string;
  readonly address: string;
  readonly prefixLen: number;
  readonly gateway: string;
}

/** /proc/net/route's little-endian hex address as dotted quad. */
function hexAddress(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join(".");
}

/** The first IPv4 default route with an address on its interface, or undefined when the host has none. */
export async function defaultRoute(): Promise<HostRoute | undefined> {
  const text = await readFile("/proc/net/route", "utf8").catch(() => "");
  for (const line of text.split("\n").slice(1)) {
    const [iface, dest, gw, , , , , mask] = line.trim().split(/\s+/);
    if (iface === undefined || dest !== "00000000" || mask !== "00000000" || gw === undefined) continue;
    const v4 = (networkInterfaces()[iface] ?? []).find((a) => a.family === "IPv4");
    if (v4 === undefined) continue;
    const prefixLen = Number(v4.cidr?.split("/")[1] ?? 0);
    return { iface, address: v4.address, prefixLen, gateway: hexAddress(gw) };
  }
  return undefined;
}
