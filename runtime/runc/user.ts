import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: number[];
  readonly home: string;
}

export class UserNotFoundError extends Error {
  readonly code = "USER_NOT_FOUND";
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

function table(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

/**
 * Resolves `USER` (name or uid, optionally `:group` or `:gid`) against the
 * image's /etc/passwd and /etc/group, as docker does: numeric ids need no
 * entry; names must exist.
 */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [userPart = "", groupPart] = (spec || "root").split(":", 2);
  const passwd = table(await readInRoot(rootfs, "etc/passwd"));
  const groups = table(await readInRoot(rootfs, "etc/group"));
  let uid: number;
  let gid = 0;
  let home = "/";
  let name: string | undefined;
  const entry = passwd.find((p) => p[0] === userPart || (/^\d+$/.test(userPart) && p[2] === userPart));
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    if (entry) {
      gid = Number(entry[3]);
      home = entry[5] || "/";
      name = entry[0];
    }
  } else {
    if (!entry) throw new UserNotFoundError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    home = entry[5] || "/";
    name = entry[0];
  }
  if (groupPart !== undefined && groupPart !== "") {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((gr) => gr[0] === groupPart);
      if (!g) throw new UserNotFoundError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = Number(g[2]);
    }
  }
  const additionalGids =
    groupPart === undefined && name !== undefined
      ? groups.filter((g) => (g[3] ?? "").split(",").includes(name as string)).map((g) => Number(g[2])).filter((g) => g !== gid)
      : [];
  return { uid, gid, additionalGids, home };
}
