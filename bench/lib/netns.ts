/**
 * A network namespace of the bench's own, with a user-mode stack instead of any bridge or route on
 * the host: `unshare --net=FILE` makes the namespace (bound to a file, so no process has to live in
 * it), and pasta (Debian's passt) joins it, brings its loopback up and forwards TCP ports of the
 * namespace's 127.0.0.1 to ports of the host's 127.0.0.1 (`-T NS_PORT:HOST_PORT`, "from target
 * namespace to init namespace", pasta(1)). Nothing else of the host is reachable from inside
 * (pasta's own addresses are its default TEST-NET ones, inside the namespace only). Commands run
 * in it through `nsenter --net=FILE`. Written here because no npm library makes namespaces.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Netns {
  readonly path: string;
  /** `cmd args` run inside the namespace. */
  wrap(cmd: string, args: readonly string[]): [string, string[]];
  close(): void;
}

function sh(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
}

/** A namespace bound at DIR/NAME whose 127.0.0.1:NS_PORT reaches the host's 127.0.0.1:HOST_PORT, for each pair. */
export function createNetns(dir: string, name: string, forwards: readonly (readonly [number, number])[]): Netns {
  const path = join(dir, name);
  const pidFile = join(dir, `${name}.pasta.pid`);
  writeFileSync(path, "");
  sh("unshare", [`--net=${path}`, "true"]);
  // As root pasta would switch to nobody, which may not enter the namespace: it stays root (--runas 0).
  const ports = forwards.flatMap(([ns, host]) => ["-T", `${ns}:${host}`]);
  sh("pasta", ["--config-net", "--runas", "0", "-q", "-t", "none", "-u", "none", "-U", "none", ...ports, "--netns", path, "-P", pidFile]);
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  return {
    path,
    wrap: (cmd, args) => ["nsenter", [`--net=${path}`, "--", cmd, ...args]],
    close() {
      // pasta keeps the namespace file open (it quits when the file goes), which makes it busy to umount.
      try {
        process.kill(pid, "SIGTERM");
      } catch {}
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) spawnSync("sleep", ["0.02"]);
      spawnSync("umount", [path]);
      rmSync(path, { force: true });
      rmSync(pidFile, { force: true });
    },
  };
}
