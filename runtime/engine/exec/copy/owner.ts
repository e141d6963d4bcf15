/**
 * `--chown=user[:group]` as BuildKit resolves it (solver/llbsolver/file
 * readUser): a number is an id (a numeric user alone gives gid = uid); a name
 * is looked up in the destination rootfs's /etc/passwd (its primary group
 * becomes the gid) and /etc/group, read inside that rootfs. A name that is
 * not found fails the build, as the Dockerfile reference says.
 */
import { readFile } from "node:fs/promises";
import { secureJoin } from "../../../fs/secure-join.ts";
import { StrataError } from "../../../errors/error.ts";

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

async function table(rootfs: string, path: string): Promise<string[][]> {
  try {
    const text = await readFile(await secureJoin(rootfs, path), "utf8");
    return text
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"))
      .map((l) => l.split(":"));
  } catch {
    return [];
  }
}

const numeric = (s: string): boolean => /^\d+$/.test(s) && Number(s) <= 0xffffffff;

export async function resolveChown(rootfs: string, spec: string): Promise<Owner> {
  const colon = spec.indexOf(":");
  const user = colon < 0 ? spec : spec.slice(0, colon);
  const group = colon < 0 ? "" : spec.slice(colon + 1);
  let uid = 0;
  let gid = 0;
  if (numeric(user)) {
    uid = Number(user);
    gid = uid;
  } else if (user !== "") {
    const entry = (await table(rootfs, "/etc/passwd")).find((p) => p[0] === user);
    if (!entry) throw new StrataError("USER_NOT_FOUND", `--chown=${spec}: unable to find user ${user}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (group !== "") {
    if (numeric(group)) gid = Number(group);
    else {
      const entry = (await table(rootfs, "/etc/group")).find((g) => g[0] === group);
      if (!entry) throw new StrataError("USER_NOT_FOUND", `--chown=${spec}: unable to find group ${group}: no matching entries in group file`);
      gid = Number(entry[2]);
    }
  }
  return { uid, gid };
}
