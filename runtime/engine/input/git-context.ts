/**
 * A git build context, as `docker build URL` takes one: the URL is a git repository when it starts
 * with `git://`, `git@` or `github.com/`, or is an http(s) URL whose path ends in `.git` (docker's
 * urlutil.IsGitURL); its fragment `#ref:subdir` names the branch, tag or commit (default: the
 * remote's HEAD) and the directory inside the repository that is the context (default: its root).
 * `--build-context NAME=URL#ref:subdir` is cloned the same way (context/named.ts).
 * The ref alone is fetched, one commit deep, with the system git into a scratch directory (a
 * commit a server will not serve by its ID: every branch and tag); its tree is listed before
 * anything is checked out, so a tree over the git limits (its files, its blobs' bytes) is refused
 * having written only the objects; then it is checked out with submodules (as docker clones
 * them), `.git` is removed (BuildKit's git source leaves it out), and the subdirectory must stay
 * inside the checkout, symlinks resolved. Every git command is bounded in bytes and time
 * (git-run.ts); the caller removes the directory after a failure.
 */
import { realpath, rm, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { StrataError } from "../../errors/error.ts";
import { LimitError, limit } from "../../layer/limits.ts";
import { runGit } from "./git-run.ts";

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

/**
 * `git ls-tree -r -l` of `commit`, streamed: refused once its entries pass the files limit or its
 * blobs' sizes the bytes limit. Returns whether the tree has a .gitmodules at its root.
 */
async function checkTree(dir: string, commit: string, shown: string, what: string): Promise<boolean> {
  const maxFiles = limit("gitFiles");
  const maxBytes = limit("gitBytes");
  let files = 0;
  let bytes = 0;
  let submodules = false;
  let rest = "";
  const entry = (line: string): void => {
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const tab = line.indexOf("\t");
    const [, type, , size] = line.slice(0, tab).split(/ +/);
    if (line.slice(tab + 1) === ".gitmodules") submodules = true;
    if (++files > maxFiles) throw new LimitError("gitFiles", what, `the tree of ${shown} has more than ${maxFiles} files`);
    if (type === "blob") bytes += Number(size);
    if (bytes > maxBytes) throw new LimitError("gitBytes", what, `the tree of ${shown} holds more than ${maxBytes} bytes`);
  };
  await runGit({
    cwd: dir,
    args: ["ls-tree", "-r", "-l", "-z", "--full-tree", commit],
    what,
    stdout: (chunk) => {
      const lines = (rest + chunk.toString("latin1")).split("\0");
      rest = lines.pop() ?? "";
      for (const line of lines) entry(line);
    },
  });
  return submodules;
}

/** Fetches the ref (shallow when the server allows it); returns what to check out. */
async function fetchRef(dir: string, ref: string | undefined, what: string): Promise<string> {
  const objects = { dir: join(dir, ".git"), files: false };
  try {
    await runGit({ cwd: dir, args: ["fetch", "--progress", "--depth", "1", "--no-tags", "origin", ref ?? "HEAD"], what, watch: objects });
    return "FETCH_HEAD";
  } catch (e) {
    // A commit a server will not serve shallowly by its ID: fetch every branch and tag, then find it.
    if (ref === undefined || e instanceof LimitError) throw e;
    await runGit({ cwd: dir, args: ["fetch", "--progress", "--tags", "origin"], what, watch: objects });
    // Still not there: git's first word on it ("couldn't find remote ref …") is the one to show.
    await runGit({ cwd: dir, args: ["rev-parse", "-q", "--verify", `${ref}^{commit}`], what }).catch(() => {
      throw e;
    });
    return ref;
  }
}

/** Clones the context `arg` into the empty directory `dir`; returns the context directory (the subdir, inside `dir`). */
export async function cloneGitContext(arg: string, dir: string, what = `build context ${arg}`): Promise<string> {
  const { url, ref, subdir } = parseGitContext(arg);
  await runGit({ cwd: dir, args: ["init", "-q"], what });
  await runGit({ cwd: dir, args: ["remote", "add", "origin", url], what });
  const commit = await fetchRef(dir, ref, what);
  const submodules = await checkTree(dir, commit, ref ?? "HEAD", what);
  await runGit({ cwd: dir, args: ["checkout", "-q", "--progress", commit], what });
  // Submodules are fetched and checked out by git itself: the whole clone is measured while it runs.
  if (submodules) await runGit({ cwd: dir, args: ["submodule", "update", "--progress", "--init", "--recursive", "--depth", "1"], what, watch: { dir, files: true } });
  await rm(join(dir, ".git"), { recursive: true, force: true });
  const root = await realpath(dir);
  const context = await realpath(join(root, subdir)).catch(() => undefined);
  const rel = context === undefined ? "" : relative(root, context);
  if (context === undefined || rel.startsWith(`..${sep}`) || rel === ".." || !(await stat(context)).isDirectory()) {
    throw new StrataError("CONTEXT_SOURCE", `${what}: subdirectory "${subdir}" is not a directory inside the repository`);
  }
  return context;
}
