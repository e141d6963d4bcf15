/**
 * The user-mode network stack of a private namespace: pasta, from Debian's `passt` package.
 * Chosen over slirp4netns, which Debian also has, because:
 *
 * - it publishes ports itself, from its command line (`-t`/`-u`), and binds them before it
 *   goes to the background: slirp4netns takes each forward as a JSON request on an API socket,
 *   after it started, from a process that must stay to ask;
 * - the namespace gets the host's address and routes (no 10.0.2.x NAT range), and a
 *   connection to a published port from the host's loopback is spliced to the namespace's
 *   loopback, not translated;
 * - rootless podman uses it by default (since podman 5).
 *
 * Its options here:
 * - `--config-net`: addresses, routes and `lo` up inside the namespace;
 * - one `-t`/`-u ADDR/HOST:CONTAINER` per published port, else `none` (pasta's default, `auto`,
 *   would publish every port the container listens on); `-T none -U none`: nothing from the
 *   namespace's loopback reaches the host's (`auto` would forward the host's bound ports);
 * - `--no-map-gw` unless the network asks for host-loopback (config.ts): otherwise the
 *   gateway address stands for the host's loopback, and a container would reach what the host
 *   serves on 127.0.0.1 only;
 * - `--runas 0`: Debian 12's pasta (2023-03) cannot drop to nobody while it joins a namespace
 *   root made ("Couldn't switch to pasta namespaces"). As uid 0 it still keeps only
 *   CAP_NET_BIND_SERVICE and CAP_SYS_ADMIN, in an empty mount namespace of its own, with
 *   no_new_privs and its seccomp filter;
 * - `--log-file` and `--pid` in the container's net dir: its errors for our message, its pid
 *   for teardown. It needs about 0.25 s to come up (measured here, with or without IPv6).
 *
 * pasta quits by itself about a second after its namespace file is deleted; stopPasta signals
 * it at once, and only when /proc/PID/cmdline names that namespace file (a pid the kernel
 * handed to another process since is left alone).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StrataError } from "../../errors/error.ts";
import type { PortMapping } from "./config.ts";

export interface PastaOptions {
  readonly netns: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly ports: readonly PortMapping[];
  readonly hostLoopback: boolean;
}

/** pasta's spec of one forward: `ADDR/HOSTPORT:CONTAINERPORT`. */
function forward(p: PortMapping): string {
  return `${p.hostIp}/${p.hostPort}:${p.containerPort}`;
}

export function pastaArgs(o: PastaOptions): string[] {
  const args = ["--config-net", "--quiet", "--runas", "0", "-T", "none", "-U", "none"];
  for (const proto of ["tcp", "udp"] as const) {
    const flag = proto === "tcp" ? "-t" : "-u";
    const mine = o.ports.filter((p) => p.protocol === proto);
    if (mine.length === 0) args.push(flag, "none");
    for (const p of mine) args.push(flag, forward(p));
  }
  if (!o.hostLoopback) args.push("--no-map-gw");
  return [...args, "--log-file", o.logFile, "--pid", o.pidFile, "--netns", o.netns];
}

/** Starts pasta on the namespace; returns once it has configured it and bound every port (it is then in the background). */
export async function startPasta(o: PastaOptions): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile("pasta", pastaArgs(o), { encoding: "utf8", timeout: 30_000 }, async (err, _out, stderr) => {
      if (err === null) return resolve();
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(new StrataError("NET_SETUP", "a private network needs pasta, which is not installed (Debian package passt: apt-get install passt); or run with --network host or --network none"));
      }
      const log = await readFile(o.logFile, "utf8").catch(() => "");
      const why = [...log.split("\n"), ...stderr.split("\n")].map((l) => l.trim()).filter((l) => l !== "" && !/^pasta .*version/.test(l) && !/syslog/.test(l));
      const last = why.at(-1) ?? err.message;
      // Inside a container (rootless podman's defaults) pasta has neither the tun device nor the capability to configure it.
      const hint = /tun/i.test(last) ? ": pasta needs /dev/net/tun and CAP_NET_ADMIN (in a container: --device /dev/net/tun --cap-add NET_ADMIN), or run with --network host" : "";
      reject(new StrataError("NET_SETUP", `pasta could not set up the container's network: ${last}${hint}`));
    });
  });
}

/** Stops the pasta serving `netns` (named by its pid file) and waits until it is gone, so its ports are free. */
export async function stopPasta(pidFile: string, netns: string): Promise<void> {
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const ours = async () => (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0").includes(netns);
  if (!(await ours())) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 100 && (await ours()); i++) await sleep(20);
}

