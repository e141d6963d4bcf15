import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./strata.ts";

/** Runs git in `repo` with a committer identity, failing loudly. */
export function git(repo: string, ...args: string[]): void {
  const r = spawnSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

/** `git daemon` on 127.0.0.1 and a free port, serving the repositories under `base` as git://127.0.0.1:PORT/NAME. */
export async function startGitDaemon(base: string): Promise<{ url: (repo: string) => string; stop: () => void }> {
  const port = await freePort();
  const daemon: ChildProcess = spawn("git", ["daemon", "--reuseaddr", "--listen=127.0.0.1", `--port=${port}`, `--base-path=${base}`, "--export-all", base], { stdio: "ignore" });
  const listening = (): Promise<boolean> =>
    new Promise((done) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        done(true);
      });
      s.once("error", () => done(false));
    });
  for (let i = 0; !(await listening()); i++) {
    if (i > 100 || daemon.exitCode !== null) throw new Error("git daemon did not start");
    await sleep(50);
  }
  return { url: (repo) => `git://127.0.0.1:${port}/${repo}`, stop: () => daemon.kill() };
}
