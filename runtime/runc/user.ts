import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors/error.ts";

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups (only when the group was not given explicitly, as in docker). */
  readonly additionalGids: number[];
  /** The home directory of the uid's passwd entry, or "/" (runc's HOME when the env has none). */
  readonly home: string;
}

export class UserNotFoundError extends StrataError {
  constructor(message: string) {
    super("USER_NOT_FOUND", message);
  }
}

/** Reads a file of the rootfs only when it is a regular file there (never through a symlink to the host). */
async function readInRoot(rootfs: string, path: string): Promise<string | undefined> {
  const full = join(rootfs, path);
  try {
    const st = await lstat(full);
    if (!st.isFile()) return undefined;
    return await readFile(full, "utf8");
  } catch {
    return undefined;
  }
}

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** Lines of a colon file, as libcontainer/user parses them: blank and `#` lines skipped, missing numeric fields read as 0. */
function rows(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

const num = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : 0);
const numeric = (s: string): boolean => /^\d+$/.test(s);

function passwd(text: string | undefined): PasswdEntry[] {
  return rows(text).map((f) => ({ name: f[0] ?? "", uid: num(f[2]), gid: num(f[3]), home: f[5] ?? "" }));
}

function groups(text: string | undefined): GroupEntry[] {
  return rows(text).map((f) => ({ name: f[0] ?? "", gid: num(f[2]), members: (f[3] ?? "").split(",").filter((m) => m !== "") }));
}

/**
 * Resolves `USER` (`name`, `uid`, `name:group`, `uid:gid`, ...) against the
 * image's /etc/passwd and /etc/group exactly as BuildKit does (its
 * executor/oci GetUser, which uses runc's libcontainer/user.GetExecUser):
 *
 * - `uid:gid`, both numeric: taken as they are, no file read, no
 *   supplementary groups;
 * - the user part matches a passwd entry by name or by uid (first match in
 *   file order); with no match a numeric user is still valid (gid 0), a name
 *   is an error;
 * - an explicit group matches /etc/group by name (or, when numeric, by name
 *   or gid); with no match a numeric gid is still valid, a name is an error;
 * - without an explicit group, the supplementary groups are every group that
 *   lists the matched user name as a member; in every case the primary group
 *   is added first (BuildKit's executor does, so `id` shows it in `groups=`);
 * - an empty USER is root, and never fails (an image without /etc/passwd is fine);
 *   so is `root` in an image that has no /etc/passwd at all (as BuildKit's
 *   llb maps `root` to 0 for its file ops: `USER root` on scratch).
 *
 * `home` is what runc puts in HOME when the environment has none: the home
 * of the first passwd entry with the resulting uid, else "/".
 */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const isDefault = spec === "";
  const text = isDefault ? "0" : spec;
  const colon = text.indexOf(":");
  const userArg = colon < 0 ? text : text.slice(0, colon);
  const groupArg = colon < 0 ? "" : text.slice(colon + 1);
  const passwdText = await readInRoot(rootfs, "etc/passwd");
  const users = passwd(passwdText);
  const homeOf = (uid: number): string => users.find((u) => u.uid === uid)?.home || "/";
  if (colon >= 0 && numeric(userArg) && numeric(groupArg)) {
    const uid = Number(userArg);
    return withPrimary({ uid, gid: Number(groupArg), additionalGids: [], home: homeOf(uid) });
  }
  const allGroups = groups(await readInRoot(rootfs, "etc/group"));
  let uid = 0;
  let gid = 0;
  let matchedName: string | undefined;
  const entry = users.find((u) => u.name === userArg || (numeric(userArg) && u.uid === Number(userArg)));
  if (entry !== undefined) {
    ({ uid, gid } = entry);
    matchedName = entry.name;
  } else if (numeric(userArg)) {
    uid = Number(userArg);
  } else if (userArg === "root" && passwdText === undefined) {
    uid = 0;
  } else if (isDefault) {
    return withPrimary({ uid: 0, gid: 0, additionalGids: [], home: "/" });
  } else {
    throw new UserNotFoundError(`unable to find user ${userArg}: no matching entries in passwd file`);
  }
  let additionalGids: number[] = [];
  if (groupArg !== "") {
    const g = allGroups.find((gr) => gr.name === groupArg || (numeric(groupArg) && gr.gid === Number(groupArg)));
    if (g !== undefined) gid = g.gid;
    else if (numeric(groupArg)) gid = Number(groupArg);
    else throw new UserNotFoundError(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (matchedName !== undefined) {
    const name = matchedName;
    additionalGids = allGroups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  }
  return withPrimary({ uid, gid, additionalGids, home: entry?.home || homeOf(uid) });
}

/** BuildKit's executor lists the primary group first among the supplementary ones (its ensureAdditionalGids), so `id` shows it in `groups=`. */
function withPrimary(u: ResolvedUser): ResolvedUser {
  return { ...u, additionalGids: [u.gid, ...u.additionalGids.filter((g) => g !== u.gid)] };
}
