import { type ChildProcess, execFile, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StrataError } from "../../../errors/error.ts";

/** Where an `--ssh` id's agent comes from: a running agent's socket, or key files Strata loads into an agent of its own. */
export type SshSource = { readonly socket: string } | { readonly keys: readonly string[] };

export interface SshAgents {
  /** The agent socket of each id. */
  readonly sockets: ReadonlyMap<string, string>;
  /** Stops the agents Strata started and removes their sockets. */
  stop(): Promise<void>;
}

async function waitForSocket(path: string, agent: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (agent.exitCode !== null) throw new StrataError("RUN_MOUNT", `ssh-agent exited with code ${agent.exitCode}`);
    if ((await stat(path).catch(() => undefined))?.isSocket()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new StrataError("RUN_MOUNT", "ssh-agent did not create its socket within 5s");
}

function sshAdd(socket: string, keys: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // No passphrase prompt: stdin closed and no askpass (a key with a passphrase is an error).
    const env = { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS_REQUIRE: "never" };
    execFile("ssh-add", ["-q", ...keys], { env, timeout: 10_000 }, (err, _out, stderr) => (err === null ? resolve() : reject(new Error((stderr || err.message).trim().split("\n")[0]))));
  });
}

/**
 * BuildKit's sshprovider for `--ssh ID=KEY[,KEY]`: key files are loaded into an agent the build
 * owns (`ssh-agent -D` on a socket in a private 0700 directory), which RUN --mount=type=ssh
 * forwards like any agent socket; a socket is passed on as it is. The agents live as long as
 * the build: stop() ends them (by their own pid) and removes their directories.
 */
export async function startSshAgents(sources: ReadonlyMap<string, SshSource> | undefined): Promise<SshAgents | undefined> {
  if (sources === undefined) return undefined;
  const sockets = new Map<string, string>();
  const started: { agent: ChildProcess; dir: string }[] = [];
  // Should strata exit before stop() (a signal ends the build with process.exit), the agents go with it.
  const onExit = (): void => {
    for (const s of started) {
      s.agent.kill("SIGTERM");
      rmSync(s.dir, { recursive: true, force: true });
    }
  };
  process.once("exit", onExit);
  const stop = async (): Promise<void> => {
    process.removeListener("exit", onExit);
    for (const s of started.splice(0)) {
      s.agent.kill("SIGTERM");
      await rm(s.dir, { recursive: true, force: true });
    }
  };
  try {
    for (const [id, src] of sources) {
      if ("socket" in src) {
        sockets.set(id, src.socket);
        continue;
      }
      const dir = await mkdtemp(join(tmpdir(), "strata-ssh-"));
      const socket = join(dir, "agent.sock");
      const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
      started.push({ agent, dir });
      const spawned = new Promise<void>((_, reject) => agent.once("error", (e) => reject(new Error(`cannot run ssh-agent: ${e.message}`))));
      try {
        await Promise.race([waitForSocket(socket, agent), spawned]);
        await sshAdd(socket, src.keys);
      } catch (e) {
        throw new StrataError("USAGE", `--ssh ${id}=${src.keys.join(",")}: ${(e as Error).message}`);
      }
      sockets.set(id, socket);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { sockets, stop };
}
