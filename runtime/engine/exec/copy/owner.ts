/**
 * The owner of what a file op makes: COPY/ADD `--chown=user[:group]` and
 * WORKDIR's directories under USER, as BuildKit resolves them (llb.WithUser's
 * parseUID, then solver/llbsolver/file readUser): a number, or `root`, is an
 * id read from no file (a user id alone gives gid = uid), so `USER root` on
 * scratch works; another name is looked up in the destination rootfs's
 * /etc/passwd (its primary group becomes the gid) and /etc/group, read inside
 * that rootfs. A name that is not found fails the build, as the Dockerfile
 * reference says.
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

/** llb.WithUser's parseUID: `root` is 0, a number is itself; undefined for a name. */
function idOf(s: string): number | undefined {
  if (s === "root") return 0;
  return /^\d+$/.test(s) && Number(s) <= 0xffffffff ? Number(s) : undefined;
}

/** `what` names the spec in errors: `--chown=app` for COPY, `USER app` for WORKDIR. */
export async function resolveChown(rootfs: string, spec: string, what = `--chown=${spec}`): Promise<Owner> {
  const colon = spec.indexOf(":");
  const user = colon < 0 ? spec : spec.slice(0, colon);
  const group = colon < 0 ? "" : spec.slice(colon + 1);
  let uid = 0;
  let gid = 0;
  const userId = idOf(user);
  const groupId = idOf(group);
  if (userId !== undefined) {
    uid = userId;
    gid = uid;
  } else if (user !== "") {
    const entry = (await table(rootfs, "/etc/passwd")).find((p) => p[0] === user);
    if (!entry) throw new StrataError("USER_NOT_FOUND", `${what}: unable to find user ${user}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (group !== "") {
    if (groupId !== undefined) gid = groupId;
    else {
      const entry = (await table(rootfs, "/etc/group")).find((g) => g[0] === group);
      if (!entry) throw new StrataError("USER_NOT_FOUND", `${what}: unable to find group ${group}: no matching entries in group file`);
      gid = Number(entry[2]);
    }
  }
  return { uid, gid };
}
