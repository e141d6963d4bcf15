/**
 * The pause process of a user's rootless namespace (podman's design): one `sleep infinity` per
 * user, made by `unshare --user --mount` and mapped by newuidmap/newgidmap (the user → 0, its
 * subordinate range → 1 … 65536), that holds the user namespace and its mount namespace. Every
 * rootless strata command joins it (enter.ts), so the overlay mounts, runc state and running
 * containers one command makes are there for the next, as they are for root.
 *
 * Its pid and start time are in <runtime dir>/pause.pid ($XDG_RUNTIME_DIR/strata, else
 * /tmp/strata-<uid>, a 0700 directory the user owns): a pid whose start time differs is another
 * process and is not joined. Two commands that find no pause process may both make one; the pid
 * file is linked into place, so one wins and the other kills its own and joins the winner's.
 */
import { spawn, execFile } from "node:child_process";
import { linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors/error.ts";
import type { Mapping } from "./refusals.ts";

export function runtimeDir(uid: number): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  return xdg !== undefined && xdg !== "" ? join(xdg, "strata") : `/tmp/strata-${uid}`;
}

/** The runtime dir, made if missing; refused unless a directory of the user's that nobody else can write. */
function ownDir(dir: string, uid: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new StrataError("ENV_ROOTLESS", `${dir} is not a directory that only uid ${uid} can write, so the rootless namespace's pid file cannot be kept there: remove it, or set XDG_RUNTIME_DIR`);
  }
}

/** Field 22 of /proc/PID/stat (the start time in clock ticks), or undefined when there is no such process. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The pid a pid file names, if that process is still the one it names and holds a namespace of its own. */
function live(pidFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile, "utf8");
  } catch {
    return undefined;
  }
  const [pid, start] = text.trim().split(" ").map(Number);
  if (pid === undefined || !Number.isSafeInteger(pid) || pid <= 1 || String(start) !== startTime(pid)) return undefined;
  try {
    return readlinkSync(`/proc/${pid}/ns/user`) !== readlinkSync("/proc/self/ns/user") ? pid : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(file: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: "utf8", timeout: 10_000 }, (err, _out, stderr) => {
      if (err === null) return resolve();
      const why = stderr.trim().split("\n").at(-1) || err.message.split("\n")[0];
      reject(new StrataError("ENV_ROOTLESS", `${file} ${args.join(" ")} failed: ${why}; check the ranges /etc/subuid and /etc/subgid give this user`));
    });
  });
}

/** Starts a pause process and maps its namespace; returns its pid. */
async function start(m: Mapping): Promise<number> {
  const child = spawn("unshare", ["--user", "--mount", "--propagation", "private", "--", "sleep", "infinity"], { cwd: "/", detached: true, stdio: "ignore" });
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (e) => reject(new StrataError("ENV_ROOTLESS", `cannot start unshare (util-linux) for the rootless namespace: ${e.message}`)));
    child.once("exit", (code) => reject(new StrataError("ENV_ROOTLESS", `unshare --user --mount exited with ${code} before the rootless namespace was made: user namespaces may be disabled here (sysctl user.max_user_namespaces)`)));
  });
  failed.catch(() => undefined);
  const pid = child.pid as number;
  child.unref();
  try {
    // unshare execs sleep once both namespaces are made: then the maps can be written.
    for (let i = 0; ; i++) {
      const comm = (() => {
        try {
          return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
        } catch {
          return "";
        }
      })();
      if (comm === "sleep") break;
      if (i > 1000) throw new StrataError("ENV_ROOTLESS", "unshare did not make the rootless namespace within 10 s");
      await Promise.race([sleep(10), failed]);
    }
    await run(m.newuidmap, [String(pid), "0", String(m.uid), "1", "1", String(m.uids.start), String(m.uids.count)]);
    await run(m.newgidmap, [String(pid), "0", String(m.gid), "1", "1", String(m.gids.start), String(m.gids.count)]);
    child.removeAllListeners();
    return pid;
  } catch (e) {
    child.removeAllListeners();
    process.kill(pid, "SIGKILL");
    throw e;
  }
}

/** The pid of the user's pause process, started when there is none. */
export async function pauseProcess(m: Mapping): Promise<number> {
  const dir = runtimeDir(m.uid);
  ownDir(dir, m.uid);
  const pidFile = join(dir, "pause.pid");
  const found = live(pidFile);
  if (found !== undefined) return found;
  const pid = await start(m);
  const tmp = `${pidFile}.${pid}`;
  writeFileSync(tmp, `${pid} ${startTime(pid)}\n`, { mode: 0o600 });
  try {
    try {
      linkSync(tmp, pidFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // Another command's pause process, or a stale file: join the live one, replace the stale one.
      const theirs = live(pidFile);
      if (theirs !== undefined) {
        process.kill(pid, "SIGKILL");
        return theirs;
      }
      renameSync(tmp, pidFile);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const winner = live(pidFile);
  if (winner !== pid) process.kill(pid, "SIGKILL");
  if (winner === undefined) throw new StrataError("ENV_ROOTLESS", `the rootless namespace's pid file ${pidFile} keeps changing; another strata is starting one: try again`);
  return winner;
}
