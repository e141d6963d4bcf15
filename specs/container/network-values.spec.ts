import { describe, expect, it } from "vitest";
import { DEFAULT_NETWORK, type NetworkConfig, type PortMapping, networkConfig, parseNetworkMode } from "../../runtime/container/network/config.ts";
import { hostsFile, resolvFile } from "../../runtime/container/network/etc-files.ts";
import { pastaArgs } from "../../runtime/container/network/pasta.ts";
import { parseExpose, parsePublish } from "../../runtime/container/network/publish.ts";
import type { ContainerRecord } from "../../runtime/container/state.ts";
import { displayablePorts, portLines } from "../../runtime/cli/network-view.ts";

/** The pure parts of container networks: docker's -p grammar, PORTS and port output, the /etc files, pasta's command line. */
describe("network values", () => {
  it("reads -p as go-connections' ParsePortSpec does", () => {
    expect(parsePublish("80")).toEqual([{ containerPort: 80, protocol: "tcp", hostIp: "", hostPort: "" }]);
    expect(parsePublish("8080:80/udp")).toEqual([{ containerPort: 80, protocol: "udp", hostIp: "", hostPort: "8080" }]);
    expect(parsePublish("127.0.0.1::80")).toEqual([{ containerPort: 80, protocol: "tcp", hostIp: "127.0.0.1", hostPort: "" }]);
    expect(parsePublish("[::1]:8080:80")).toEqual([{ containerPort: 80, protocol: "tcp", hostIp: "::1", hostPort: "8080" }]);
    expect(parsePublish("::1:8080:80")).toEqual([{ containerPort: 80, protocol: "tcp", hostIp: "::1", hostPort: "8080" }]);
    expect(parsePublish("8000-8001:80-81").map((p) => `${p.hostPort}:${p.containerPort}`)).toEqual(["8000:80", "8001:81"]);
    // A host range for one container port is the range a free port is picked from.
    expect(parsePublish("8000-8010:80")).toEqual([{ containerPort: 80, protocol: "tcp", hostIp: "", hostPort: "8000-8010" }]);
    expect(parsePublish("80-81").map((p) => p.containerPort)).toEqual([80, 81]);
    expect(() => parsePublish("8000-8002:80-81")).toThrow("invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
    expect(() => parsePublish(":")).toThrow("no port specified: :<empty>");
    expect(() => parsePublish("70000")).toThrow("invalid containerPort: 70000");
    expect(() => parsePublish("80/sctp")).toThrow("invalid proto: sctp");
    expect(parseExpose("53/udp")).toEqual(["53/udp"]);
    expect(parseExpose("8000-8002")).toEqual(["8000/tcp", "8001/tcp", "8002/tcp"]);
    expect(() => parseExpose("x")).toThrow("invalid range format for --expose: x");
  });

  it("names the modes as docker does, bridge and default being private", () => {
    expect(parseNetworkMode("bridge")).toEqual({ mode: "private", hostLoopback: false });
    expect(parseNetworkMode("private:host-loopback")).toEqual({ mode: "private", hostLoopback: true });
    expect(parseNetworkMode("container:a:b").mode).toBe("container:a:b");
    expect(() => parseNetworkMode("host:x")).toThrow("network host:x not found");
    expect(() => parseNetworkMode("private:nope")).toThrow('invalid option "nope"');
  });

  const rec = (network: NetworkConfig, ports: PortMapping[]): ContainerRecord =>
    ({ id: "c".repeat(64), name: "c", network, networkState: { ports, ipAddress: "", prefixLen: 0, gateway: "", sandboxKey: "", hostname: "c" } }) as unknown as ContainerRecord;
  const up = { state: "running" as const, pid: 1, restartCount: 0 };
  const tcp = (containerPort: number, hostPort: number, hostIp = "0.0.0.0"): PortMapping => ({ containerPort, protocol: "tcp", hostIp, hostPort });

  it("prints PORTS as docker/cli's DisplayablePorts: same-number ports grouped, mappings after, exposed ones bare", () => {
    const cfg = networkConfig({ ...DEFAULT_NETWORK, expose: ["443/tcp", "444/tcp", "53/udp", "8080/tcp", "8081/tcp"] }, undefined);
    const r = rec(cfg, [tcp(8080, 8080), tcp(8081, 8081), tcp(80, 32768, "127.0.0.1")]);
    expect(displayablePorts(r, up)).toBe("53/udp, 443-444/tcp, 0.0.0.0:8080-8081->8080-8081/tcp, 127.0.0.1:32768->80/tcp");
    expect(displayablePorts(r, { state: "exited", exitCode: 0, restartCount: 0 })).toBe("");
    expect(displayablePorts(rec(cfg, [{ containerPort: 80, protocol: "tcp", hostIp: "::1", hostPort: 9000 }]), up)).toContain("[::1]:9000->80/tcp");
    expect(portLines(r, up)).toEqual(["80/tcp -> 127.0.0.1:32768", "8080/tcp -> 0.0.0.0:8080", "8081/tcp -> 0.0.0.0:8081"]);
    expect(portLines(r, up, { port: 443, protocol: "tcp" })).toBeUndefined();
  });

  it("writes docker's hosts and resolv.conf", () => {
    expect(hostsFile({ extra: [{ host: "db", ip: "10.0.0.9" }], self: { ip: "192.0.2.2", hostname: "abc" } }).split("\n").slice(-3)).toEqual(["10.0.0.9\tdb", "192.0.2.2\tabc", ""]);
    expect(hostsFile({ hostFile: "127.0.0.1 localhost\n\n", extra: [{ host: "x", ip: "1.2.3.4" }] })).toBe("127.0.0.1 localhost\n1.2.3.4\tx\n");
    const host = "search corp.example\nnameserver 127.0.0.53\noptions edns0\n";
    expect(resolvFile({ host, ownNamespace: true, dns: [], search: [], options: [] })).toBe("search corp.example\noptions edns0\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n");
    expect(resolvFile({ host, ownNamespace: false, dns: [], search: [], options: [] })).toBe(host);
    expect(resolvFile({ host, ownNamespace: true, dns: ["192.0.2.53"], search: ["."], options: [] })).toBe("nameserver 192.0.2.53\noptions edns0\n");
  });

  it("gives pasta one forward per published port and nothing else", () => {
    const args = pastaArgs({ netns: "/n", pidFile: "/p", logFile: "/l", ports: [tcp(80, 8080, "127.0.0.1"), { containerPort: 53, protocol: "udp", hostIp: "0.0.0.0", hostPort: 5353 }], hostLoopback: false });
    expect(args).toEqual(["--config-net", "--quiet", "--runas", "0", "-T", "none", "-U", "none", "-t", "127.0.0.1/8080:80", "-u", "0.0.0.0/5353:53", "--no-map-gw", "--log-file", "/l", "--pid", "/p", "--netns", "/n"]);
    expect(pastaArgs({ netns: "/n", pidFile: "/p", logFile: "/l", ports: [], hostLoopback: true })).toEqual(["--config-net", "--quiet", "--runas", "0", "-T", "none", "-U", "none", "-t", "none", "-u", "none", "--log-file", "/l", "--pid", "/p", "--netns", "/n"]);
  });
});
