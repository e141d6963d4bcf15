import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { freePort } from "./strata.ts";

/** Runs git in `repo` with a committer identity, failing loudly. */
export function git(repo: string, ...args: string[]): void {
  const r = spawnSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

/** Makes a git repository at `dir` (branch main) with these files committed; returns a git runner for more. */
export function gitRepo(dir: string, files: Record<string, string | Buffer>): (...args: string[]) => void {
  const run = (...args: string[]): void => git(dir, ...args);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  mkdirSync(dir, { recursive: true });
  run("init", "-q", "-b", "main");
  run("add", "-A");
  run("commit", "-qm", "v1");
  return run;
}

/** Waits until something listens on 127.0.0.1:port (5 s at most). */
export async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((done) =>
      connect(port, "127.0.0.1")
        .once("connect", function (this: Socket) {
          this.destroy();
          done(true);
        })
        .once("error", () => done(false)),
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** `git daemon` on a free port of 127.0.0.1 exporting the repositories under `base`: git://127.0.0.1:PORT/NAME. */
export async function startGitDaemon(base: string): Promise<{ url: (name: string) => string; stop: () => void }> {
  const port = await freePort();
  const daemon: ChildProcess = spawn("git", ["daemon", "--reuseaddr", "--listen=127.0.0.1", `--port=${port}`, `--base-path=${base}`, "--export-all", base], { stdio: "ignore" });
  await listening(port);
  return { url: (name) => `git://127.0.0.1:${port}/${name}`, stop: () => daemon.kill() };
}
