import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { resolveUser } from "../runc/user.ts";
import type { Store } from "../store/store.ts";
import { mergeEnv } from "./create.ts";
import { ContainerStateError } from "./lifecycle.ts";
import { dropRuncErrors, explainStartError, runcLogError, startFailureCode } from "./runc-ops.ts";
import { type ContainerRecord, ContainerPaths, runcId } from "./state.ts";
import { StartError } from "./start.ts";
import { containerStatus } from "./status.ts";
import { runcBinary } from "../runc/binary.ts";

export interface ExecOptions {
  readonly command: readonly string[];
  readonly env?: readonly string[];
  readonly workdir?: string | undefined;
  readonly user?: string | undefined;
  readonly interactive?: boolean;
  readonly tty?: boolean;
  /** -d: start the process and return (its output goes nowhere, as docker's exec -d). */
  readonly detach?: boolean;
}

/**
 * `exec`: one more process in a running container (`runc exec` with a
 * process.json made from the container's own: its capabilities, env, user),
 * in the foreground; returns its exit code. runc handles `-t` itself: it
 * makes the pty and puts this terminal in raw mode. With `detach`, runc
 * starts the process (stdio /dev/null, no terminal) and returns; so does this.
 */
export async function execInContainer(store: Store, rec: ContainerRecord, o: ExecOptions): Promise<number> {
  const status = await containerStatus(store, rec);
  if (status.state === "paused") throw new ContainerStateError(`container ${rec.name} is paused; unpause it first`);
  if (status.state !== "running") throw new ContainerStateError(`container ${rec.name} is not running`);
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const spec = JSON.parse(await readFile(join(paths.bundle, "config.json"), "utf8")) as { process: Record<string, unknown> & { env: string[] } };
  const env = mergeEnv(spec.process.env, o.env ?? []);
  let user = spec.process.user;
  if (o.user !== undefined) {
    const u = await resolveUser(paths.merged, o.user).catch((e: Error) => {
      throw new StartError(e.message, 125);
    });
    user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
  }
  const tag = randomBytes(6).toString("hex");
  const processFile = join(paths.dir, `exec-${tag}.json`);
  const logFile = join(paths.dir, `exec-${tag}.log`);
  const detach = o.detach ?? false;
  await writeFile(processFile, JSON.stringify({ ...spec.process, terminal: !detach && (o.tty ?? false), args: o.command, env, cwd: o.workdir ?? spec.process.cwd, user }));
  try {
    const child = spawn(runcBinary(), ["--root", store.layout.runc, "--log", logFile, "--log-format", "json", "exec", ...(detach ? ["--detach"] : []), "--process", processFile, runcId(rec.id)], {
      // Detached, the process keeps runc's stdio: /dev/null, so no pipe of ours stays open after runc (its errors are in the log).
      stdio: detach ? "ignore" : [o.interactive ? "inherit" : "ignore", "inherit", "pipe"],
      // Without a terminal, signals reach runc only through us (and runc passes them on to the process).
      detached: detach || !o.tty,
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = dropRuncErrors(chunk);
      if (text.length > 0) process.stderr.write(text);
    });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    try {
      const code = await new Promise<number>((resolve, reject) => {
        child.on("error", (e) => reject(new StartError(`cannot run runc: ${e.message}`, 125)));
        child.on("close", (c, sig) => resolve(c ?? (sig ? 128 : 1)));
      });
      const msg = await runcLogError(logFile);
      if (msg !== "" && /exec failed|unable to start|exec:/.test(msg)) throw new StartError(`cannot exec in container ${rec.name}: ${explainStartError(msg.replace(/^runc exec failed: /, ""))}`, startFailureCode(msg));
      return code;
    } finally {
      process.removeListener("SIGINT", forward);
      process.removeListener("SIGTERM", forward);
    }
  } finally {
    await rm(processFile, { force: true });
    await rm(logFile, { force: true });
  }
}
