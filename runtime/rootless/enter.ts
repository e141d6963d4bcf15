/**
 * Rootless mode's entry (issue 20): a strata command that is not root (or is given --rootless)
 * runs inside the user's rootless namespace (pause.ts) as its uid 0, so that the rest of Strata
 * (overlay mounts, runc, chown of image files to ids 1 … 65535) works as it does for root, with
 * the kernel's user-namespace rules (fs/userns.ts). The command re-executes itself there through
 * `nsenter --user --mount --preserve-credentials` with process.execve (Node ≥ 22.15), so signals,
 * the terminal and the exit status are its own; on an older Node it spawns and waits instead.
 *
 * The store stays the user's: the default root ($XDG_DATA_HOME/strata, else
 * ~/.local/share/strata) is chosen before the re-exec and passed as STRATA_ROOT.
 * Commands that touch no store or filesystem (PURE) never enter. When the namespace cannot be
 * made, the commands that need no mounts or ownership (DIRECT) run as the user as they are;
 * the others end with the refusal (ENV_ROOTLESS, exit 2).
 */
import { spawn } from "node:child_process";
import { userInfo } from "node:os";
import { inUserNamespace } from "../fs/userns.ts";
import { defaultRoot } from "../store/layout.ts";
import { HOST_FILES, mappingFor, which } from "./refusals.ts";
import { pauseProcess } from "./pause.ts";

const PURE = new Set(["help", "completion", "version", "parse", "convert", "init", "login", "logout"]);
const DIRECT = new Set(["images", "inspect", "history", "tag", "push", "pull", "save", "explain", "check", "info", "ps", "logs", "port"]);

/** Whether this command should run in the rootless namespace. */
export function wantsNamespace(word: string | undefined, args: readonly string[]): boolean {
  if (inUserNamespace() || word === undefined || PURE.has(word)) return false;
  return process.getuid?.() !== 0 || args.includes("--rootless");
}

function currentUser(): { name: string; uid: number; gid: number } {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    // An arbitrary uid with no passwd entry (a pod's runAsUser): /etc/subuid may name it by number.
  }
  return { name, uid, gid };
}

function nsenterArgs(pid: number): string[] {
  return ["--user", "--mount", `--target=${pid}`, "--preserve-credentials", `--wd=${process.cwd()}`, "--", process.execPath, ...process.execArgv, ...(process.argv.slice(1) as string[])];
}

/** Runs the command in the rootless namespace; resolves only when the command should go on here instead. */
export async function enterNamespace(word: string | undefined, args: readonly string[]): Promise<void> {
  let pid: number;
  try {
    pid = await pauseProcess(mappingFor(currentUser(), HOST_FILES));
  } catch (e) {
    if (word !== undefined && DIRECT.has(word)) return;
    throw e;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!args.includes("--root") && !args.some((a) => a.startsWith("--root=")) && !process.env.STRATA_ROOT) env.STRATA_ROOT = defaultRoot(true);
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  const nsenter = which(HOST_FILES, "nsenter") ?? "nsenter";
  if (execve !== undefined) execve(nsenter, ["nsenter", ...nsenterArgs(pid)], env);
  await new Promise<never>((_, reject) => {
    const child = spawn(nsenter, nsenterArgs(pid), { stdio: "inherit", env });
    // The terminal's signals reach the child itself; the ones sent to this pid are passed on.
    for (const sig of ["SIGTERM", "SIGHUP", "SIGQUIT"] as const) process.on(sig, () => child.kill(sig));
    process.on("SIGINT", () => undefined);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (signal !== null) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      }
      process.exit(code ?? 1);
    });
  });
}
