import { readdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer, type Server as NetServer } from "node:net";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, strataAsync } from "../helpers/strata.ts";
import { fetchLocal, freePort, mountsUnder, removeAllContainers } from "./helpers.ts";

/**
 * Container networks with real runc and pasta: a private namespace per container, published
 * ports on 127.0.0.1, host, none and container:NAME, the /etc files, port/ps/inspect. Traffic
 * goes only to 127.0.0.1 (the host's, or inside a namespace this spec's containers made).
 */
describe("container networks", () => {
  let root: string;
  let cleanup: () => void;
  const n = (s: string): string => `${s}-${process.pid}`;
  const servers: (Server | NetServer)[] = [];

  /** pasta processes serving a namespace of this store. */
  const stacks = (): number[] =>
    readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        const cmd = (() => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
          } catch {
            return [];
          }
        })();
        return cmd[0] === "pasta" && cmd.some((a) => a.startsWith(`${root}/`));
      })
      .map(Number);

  /** Whether a TCP socket of this machine listens on 127.0.0.1:port (/proc/net/tcp, state 0A). */
  const listeningOn = (port: number): boolean =>
    readFileSync("/proc/net/tcp", "utf8")
      .split("\n")
      .slice(1)
      .some((l) => {
        const [, local, , state] = l.trim().split(/\s+/);
        return state === "0A" && local === `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
      });

  /** Two consecutive TCP ports free on 127.0.0.1 now (the lower one returned). */
  const freePortPair = async (): Promise<number> => {
    for (;;) {
      const base = await freePort();
      const next = createServer();
      const free = await new Promise<boolean>((res) => next.once("error", () => res(false)).listen(base + 1, "127.0.0.1", () => next.close(() => res(true))));
      if (free && base < 65535) return base;
    }
  };

  /** A busybox httpd serving `text` on port 80 inside the container. */
  const web = (text: string): string[] => ["sh", "-c", `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`];

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("container-net"));
  });

  afterAll(async () => {
    removeAllContainers(root);
    for (const s of servers) await new Promise((res) => s.close(res));
    expect(mountsUnder(root)).toEqual([]);
    expect(stacks()).toEqual([]);
    cleanup();
  });

  it("two containers listening on :80 answer on their own host ports, each with its own content", async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const a = strata(root, ["run", "-d", "--name", n("web-a"), "-p", `127.0.0.1:${p1}:80`, "busybox", ...web("alpha")]);
    expect(a.code, a.stderr).toBe(0);
    const b = strata(root, ["run", "-d", "--name", n("web-b"), "-p", `127.0.0.1:${p2}:80/tcp`, "busybox", ...web("beta")]);
    expect(b.code, b.stderr).toBe(0);
    expect(await fetchLocal(p1, "/")).toBe("alpha\n");
    expect(await fetchLocal(p2, "/")).toBe("beta\n");

    const ps = strata(root, ["ps"]);
    expect(ps.stdout.split("\n")[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps.stdout).toMatch(new RegExp(`Up .*\\s127\\.0\\.0\\.1:${p1}->80/tcp\\s+${n("web-a")}$`, "m"));
    expect(strata(root, ["ps", "--format", "{{.Names}} {{.Ports}} {{.Networks}}"]).stdout).toContain(`${n("web-b")} 127.0.0.1:${p2}->80/tcp private\n`);
    expect(strata(root, ["port", n("web-a")]).stdout).toBe(`80/tcp -> 127.0.0.1:${p1}\n`);
    expect(strata(root, ["container", "port", n("web-b"), "80"]).stdout).toBe(`127.0.0.1:${p2}\n`);
    const none = strata(root, ["port", n("web-b"), "81/udp"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`strata: error[NET_NO_PUBLIC_PORT]: No public port '81/udp' published for ${n("web-b")}\n`);

    const [inspected] = JSON.parse(strata(root, ["inspect", n("web-a")]).stdout) as Record<string, Record<string, unknown>>[];
    expect(inspected?.HostConfig?.NetworkMode).toBe("private");
    expect(inspected?.HostConfig?.PortBindings).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: `${p1}` }] });
    expect(inspected?.NetworkSettings?.Ports).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: `${p1}` }] });
    expect(inspected?.Config?.ExposedPorts).toEqual({ "80/tcp": {} });
    // The namespace is the container's own: its loopback is not the host's, its address is the one inspect gives.
    const ip = strata(root, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", n("web-a")]).stdout.trim();
    const inside = strata(root, ["exec", n("web-a"), "sh", "-c", "ls /sys/class/net | grep -c .; ls /sys/class/net | grep -x lo; ip -o -4 addr show scope global | awk '{print $4}'"]);
    expect(inside.stdout).toMatch(new RegExp(`^2\\nlo\\n${ip.replace(/\./g, "\\.")}/\\d+\\n$`));
    expect(stacks()).toHaveLength(2);
  });

  it("a host port in use fails before the container starts, in docker's words, and leaves nothing behind", async () => {
    const port = await freePort();
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((res) => taken.listen(port, "127.0.0.1", res));
    const before = strata(root, ["ps", "-aq"]).stdout;
    const mounts = mountsUnder(root).length;
    const stacksBefore = stacks().length;
    for (const detach of [[], ["-d"]]) {
      const r = strata(root, ["run", ...detach, "--name", n("clash"), "-p", `127.0.0.1:${port}:80`, "busybox", "true"]);
      expect(r.code).toBe(125);
      expect(r.stderr).toBe(`strata: error[NET_PORT_IN_USE]: driver failed programming external connectivity: Error starting userland proxy: listen tcp4 127.0.0.1:${port}: bind: address already in use\n`);
    }
    expect(strata(root, ["ps", "-aq"]).stdout).toBe(before);
    expect(mountsUnder(root)).toHaveLength(mounts);
    expect(stacks()).toHaveLength(stacksBefore);
    // The name was never taken.
    const again = strata(root, ["run", "--rm", "--name", n("clash"), "busybox", "true"]);
    expect(again.code, again.stderr).toBe(0);
    // One container asking for one host port twice: docker's "port is already allocated".
    const twice = await freePort();
    const dup = strata(root, ["run", "--rm", "-p", `127.0.0.1:${twice}:80`, "-p", `127.0.0.1:${twice}:81`, "busybox", "true"]);
    expect(dup.code).toBe(125);
    expect(dup.stderr).toContain(`Bind for 127.0.0.1:${twice} failed: port is already allocated`);
  });

  it("stop frees the ports and tears the namespace down; start publishes again; rm leaves nothing", async () => {
    const port = await freePort();
    const name = n("restartable");
    expect(strata(root, ["run", "-d", "--name", name, "-p", `127.0.0.1:${port}:80`, "busybox", ...web("again")]).code).toBe(0);
    expect(await fetchLocal(port, "/")).toBe("again\n");
    const count = stacks().length;
    expect(listeningOn(port)).toBe(true);
    const id = strata(root, ["inspect", "-f", "{{.Id}}", name]).stdout.trim();
    expect(mountsUnder(root).filter((m) => m.includes(id))).toHaveLength(2); // the rootfs and the namespace
    expect(strata(root, ["stop", "-t", "1", name]).code).toBe(0);
    expect(stacks()).toHaveLength(count - 1);
    // The namespace is gone once stop returns (the monitor records the exit only after tearing the network down).
    expect(mountsUnder(root).filter((m) => m.includes(id) && m.endsWith("/net/netns"))).toEqual([]);
    // The host port is free again: nothing listens on it. (Binding it at once can still fail for a
    // minute when pasta closed the fetch's connection first: its TIME_WAIT keeps the port, as any
    // server's closed connection does.)
    expect(listeningOn(port)).toBe(false);
    expect(strata(root, ["port", name]).stdout).toBe("");
    expect(strata(root, ["inspect", "-f", "{{json .NetworkSettings.Ports}}", name]).stdout).toBe("{}\n");
    expect(strata(root, ["ps", "-a", "--format", "{{.Names}}|{{.Ports}}"]).stdout.split("\n")).toContain(`${name}|`);
    expect(strata(root, ["start", name]).code).toBe(0);
    expect(await fetchLocal(port, "/")).toBe("again\n");
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);
    expect(stacks()).toHaveLength(count - 1);
  });

  it("-P publishes every exposed port on a random host port; the range forms publish each port", async () => {
    const name = n("all");
    // 127.0.0.1 for the explicit ones; -P takes docker's default address for the rest.
    const r = strata(root, ["run", "-d", "--name", name, "-P", "--expose", "80", "-p", "127.0.0.1::81", "busybox", "sh", "-c", "mkdir /w && echo p > /w/index.html && httpd -p 81 -h /w && exec httpd -f -p 80 -h /w"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = strata(root, ["port", name]).stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^80\/tcp -> 0\.0\.0\.0:\d+$/);
    expect(lines[1]).toMatch(/^81\/tcp -> 127\.0\.0\.1:\d+$/);
    const p80 = Number(lines[0]?.split(":").pop());
    const p81 = Number(lines[1]?.split(":").pop());
    expect(await fetchLocal(p80, "/")).toBe("p\n");
    expect(await fetchLocal(p81, "/")).toBe("p\n");
    expect(strata(root, ["inspect", "-f", "{{.HostConfig.PublishAllPorts}} {{json .HostConfig.PortBindings}}", name]).stdout).toBe('true {"81/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}\n');
    expect(strata(root, ["rm", "-f", name]).code).toBe(0);

    const base = await freePortPair();
    const range = strata(root, ["run", "-d", "--name", n("range"), "-p", `127.0.0.1:${base}-${base + 1}:80-81`, "--expose", "90-91/udp", "busybox", "sleep", "300"]);
    expect(range.code, range.stderr).toBe(0);
    expect(strata(root, ["ps", "--format", "{{.Names}} {{.Ports}}"]).stdout.split("\n")).toContain(`${n("range")} 90-91/udp, 127.0.0.1:${base}->80/tcp, 127.0.0.1:${base + 1}->81/tcp`);
    expect(strata(root, ["rm", "-f", n("range")]).code).toBe(0);
  });

  it("reaches a server on the host's 127.0.0.1 only when the network maps the host's loopback", async () => {
    const srv = createHttpServer((_req, res) => res.end("from-the-host\n"));
    servers.push(srv);
    const port = await freePort();
    await new Promise<void>((res) => srv.listen(port, "127.0.0.1", res));
    const get = (url: string) => `timeout 5 wget -qO- ${url} 2>&1; echo " rc=$?"`;
    // The gateway stands for the host's loopback with host-loopback, and for --add-host NAME:host-gateway.
    const mapped = await strataAsync(root, ["run", "--rm", "--network", "private:host-loopback", "busybox", "sh", "-c", get(`http://$(ip route | awk '/^default/{print $3}'):${port}/`)]);
    expect(mapped.stdout).toBe("from-the-host\n rc=0\n");
    const named = await strataAsync(root, ["run", "--rm", "--add-host", "the-host:host-gateway", "busybox", "sh", "-c", get(`http://the-host:${port}/`)]);
    expect(named.stdout).toBe("from-the-host\n rc=0\n");
    // Without it the container's 127.0.0.1 is its own: nothing listens there.
    const own = await strataAsync(root, ["run", "--rm", "busybox", "sh", "-c", get(`http://127.0.0.1:${port}/`)]);
    expect(own.stdout).toMatch(/Connection refused\n rc=1\n$/);
    // With the host's network it is the host's.
    const host = await strataAsync(root, ["run", "--rm", "--network", "host", "busybox", "sh", "-c", get(`http://127.0.0.1:${port}/`)]);
    expect(host.stdout).toBe("from-the-host\n rc=0\n");
  });

  it("--network none has only lo; the /etc files follow --hostname, --add-host and --dns", () => {
    const none = strata(root, ["run", "--rm", "--network", "none", "--hostname", "quiet", "busybox", "sh", "-c", "ls /sys/class/net; ip -o link show lo | grep -o LOOPBACK,UP; hostname; cat /etc/hosts"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe("lo\nLOOPBACK,UP\nquiet\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
    const named = strata(root, ["run", "--rm", "-h", "box", "--add-host", "db:10.1.2.3", "--add-host", "v6=[::1]", "--dns", "192.0.2.53", "--dns-search", "example.test", "--dns-option", "ndots:2", "busybox", "sh", "-c", "hostname; cat /etc/hostname; tail -3 /etc/hosts; cat /etc/resolv.conf"]);
    expect(named.code, named.stderr).toBe(0);
    const [h, file, db, v6, self, ...resolv] = named.stdout.trim().split("\n");
    expect([h, file, db, v6]).toEqual(["box", "box", "10.1.2.3\tdb", "::1\tv6"]);
    expect(self).toMatch(/^\d+\.\d+\.\d+\.\d+\tbox$/);
    expect(resolv).toEqual(["nameserver 192.0.2.53", "search example.test", "options ndots:2"]);
    // The host's network: the host's hostname and hosts file.
    const host = strata(root, ["run", "--rm", "--network", "host", "--add-host", "db:10.1.2.3", "busybox", "sh", "-c", "hostname; tail -1 /etc/hosts"]);
    expect(host.stdout).toBe(`${hostname()}\n10.1.2.3\tdb\n`);
    // Nothing of this shows as the container's change.
    const kept = strata(root, ["run", "-d", "--name", n("difftest"), "-h", "d", "busybox", "sleep", "300"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(strata(root, ["diff", n("difftest")]).stdout).toBe("");
    expect(strata(root, ["rm", "-f", n("difftest")]).code).toBe(0);
  });

  it("container:NAME shares a running container's namespace and hostname, and is refused when it does not run", () => {
    const owner = n("owner");
    expect(strata(root, ["run", "-d", "--name", owner, "-h", "owner-host", "busybox", ...web("shared")]).code).toBe(0);
    const joined = strata(root, ["run", "--rm", "--network", `container:${owner}`, "busybox", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:80/ && break; sleep 0.2; done; hostname; grep -c owner-host /etc/hosts"]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout).toBe("shared\nowner-host\n1\n");
    expect(strata(root, ["ps", "--format", "{{.Names}}:{{.Networks}}"]).stdout.split("\n")).toContain(`${owner}:private`);

    const conflicts: [string[], string][] = [
      [["-p", "8080:80"], "conflicting options: port publishing and the container type network mode"],
      [["-h", "x"], "conflicting options: hostname and the network mode"],
      [["--dns", "1.1.1.1"], "conflicting options: dns and the network mode"],
      [["--add-host", "a:1.2.3.4"], "conflicting options: custom host-to-IP mapping and the network mode"],
      [["--expose", "80"], "conflicting options: port exposing and the container type network mode"],
    ];
    for (const [flags, message] of conflicts) {
      const r = strata(root, ["run", "--rm", "--network", `container:${owner}`, ...flags, "busybox", "true"]);
      expect([r.code, r.stderr]).toEqual([125, `strata: error[NET_INVALID]: ${message}\n`]);
    }
    expect(strata(root, ["stop", "-t", "1", owner]).code).toBe(0);
    const refused = strata(root, ["run", "--rm", "--network", `container:${owner}`, "busybox", "true"]);
    expect([refused.code, refused.stderr]).toEqual([125, `strata: error[NET_JOIN]: cannot join network of a non running container: ${owner}\n`]);
    const missing = strata(root, ["run", "--rm", "--network", "container:no-such-one", "busybox", "true"]);
    expect([missing.code, missing.stderr]).toEqual([125, "strata: error[NET_JOIN]: No such container: no-such-one\n"]);
    expect(strata(root, ["rm", owner]).code).toBe(0);
  });

  it("refuses malformed values with docker's messages (exit 125)", () => {
    const cases: [string[], string, string][] = [
      [["--network", "weird"], "NET_NOT_FOUND", "network weird not found"],
      [["--network", "container:"], "NET_INVALID", "Invalid network mode: invalid container format container:<name|id>"],
      [["-p", "80:abc"], "NET_INVALID", "invalid containerPort: abc"],
      [["-p", "x:80"], "NET_INVALID", "invalid hostPort: x"],
      [["-p", "1.2.3:80:80"], "NET_INVALID", "invalid IP address: 1.2.3"],
      [["-p", "80/sctpx"], "NET_INVALID", "invalid proto: sctpx"],
      [["-p", "8000-8001:80-82"], "NET_INVALID", "invalid ranges specified for container and host Ports: 80-82 and 8000-8001"],
      [["--add-host", "nocolon"], "USAGE", 'invalid argument "nocolon" for "--add-host" flag: bad format for add-host: "nocolon"'],
      [["--dns", "not-an-ip"], "NET_INVALID", 'invalid argument "not-an-ip" for "--dns" flag: IP address is not correctly formatted: not-an-ip'],
      [["-h", "bad_name!"], "NET_INVALID", "invalid hostname format: bad_name!"],
    ];
    for (const [flags, code, message] of cases) {
      const r = strata(root, ["run", "--rm", ...flags, "busybox", "true"]);
      expect([r.code, r.stderr.split(":").slice(0, 2).join(":")], flags.join(" ")).toEqual([125, `strata: error[${code}]`]);
      expect(r.stderr, flags.join(" ")).toContain(message);
    }
    const warn = strata(root, ["run", "--rm", "--network", "host", "-p", "80", "busybox", "true"]);
    expect([warn.code, warn.stderr]).toEqual([0, "WARNING: Published ports are discarded when using host network mode\n"]);
  });
});
