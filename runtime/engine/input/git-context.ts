/**
 * A git build context, as `docker build URL` takes one: the URL is a git repository when it starts
 * with `git://`, `git@` or `github.com/`, or is an http(s) URL whose path ends in `.git` (docker's
 * urlutil.IsGitURL); its fragment `#ref:subdir` names the branch, tag or commit (default: the
 * remote's HEAD) and the directory inside the repository that is the context (default: its root).
 * The ref is fetched shallowly with the system git into a scratch directory (submodules too, as
 * docker clones them), `.git` is removed (BuildKit's git source leaves it out), and the subdirectory
 * must stay inside the checkout, symlinks resolved.
 */
import { execFile } from "node:child_process";
import { realpath, rm, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { StrataError } from "../../errors/error.ts";

const run = promisify(execFile);

/** Whether the build's context argument names a git repository (docker's rule). */
export function isGitContext(arg: string): boolean {
  if (["git://", "git@", "github.com/"].some((p) => arg.startsWith(p))) return true;
  return /^https?:\/\//.test(arg) && /\.git(?:#.+)?$/.test(arg);
}

/** The URL, ref and subdirectory of a git context argument. */
export function parseGitContext(arg: string): { url: string; ref: string | undefined; subdir: string } {
  const hash = arg.indexOf("#");
  const url = hash < 0 ? arg : arg.slice(0, hash);
  const fragment = hash < 0 ? "" : arg.slice(hash + 1);
  const colon = fragment.indexOf(":");
  const ref = colon < 0 ? fragment : fragment.slice(0, colon);
  const subdir = colon < 0 ? "" : fragment.slice(colon + 1);
  return { url: url.startsWith("github.com/") ? `https://${url}` : url, ref: ref === "" ? undefined : ref, subdir };
}

async function git(dir: string, args: readonly string[], what: string): Promise<void> {
  try {
    await run("git", ["-C", dir, ...args], { env: { ...process.env, GIT_TERMINAL_PROMPT: "0" }, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === "ENOENT") throw new StrataError("CONTEXT_SOURCE", `${what}: git is not installed (it is needed for a git build context)`);
    const reason = (err.stderr ?? err.message).trim().split("\n").filter(Boolean).pop() ?? err.message;
    throw new StrataError("CONTEXT_SOURCE", `${what}: ${reason}`, { cause: e });
  }
}

/** Clones the context `arg` into the empty directory `dir`; returns the context directory (the subdir, inside `dir`). */
export async function cloneGitContext(arg: string, dir: string): Promise<string> {
  const { url, ref, subdir } = parseGitContext(arg);
  const what = `build context ${arg}`;
  await git(dir, ["init", "-q"], what);
  await git(dir, ["remote", "add", "origin", url], what);
  try {
    await git(dir, ["fetch", "-q", "--depth", "1", "--no-tags", "origin", ref ?? "HEAD"], what);
    await git(dir, ["checkout", "-q", "FETCH_HEAD"], what);
  } catch (e) {
    // A commit a server will not serve shallowly by its ID: fetch everything, then check it out.
    if (ref === undefined) throw e;
    await git(dir, ["fetch", "-q", "--tags", "origin"], what);
    // Still not there: git's first word on it ("couldn't find remote ref …") is the one to show.
    await git(dir, ["checkout", "-q", ref], what).catch(() => {
      throw e;
    });
  }
  await git(dir, ["submodule", "update", "-q", "--init", "--recursive", "--depth", "1"], what);
  await rm(join(dir, ".git"), { recursive: true, force: true });
  const root = await realpath(dir);
  const context = await realpath(join(root, subdir)).catch(() => undefined);
  const rel = context === undefined ? "" : relative(root, context);
  if (context === undefined || rel.startsWith(`..${sep}`) || rel === ".." || !(await stat(context)).isDirectory()) {
    throw new StrataError("CONTEXT_SOURCE", `${what}: subdirectory "${subdir}" is not a directory inside the repository`);
  }
  return context;
}
