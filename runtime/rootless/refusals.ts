/**
 * What rootless mode needs of the host, checked before a namespace is made (issue 20, item 5): user
 * namespaces enabled, newuidmap and newgidmap (Debian's `uidmap`), and a subordinate uid and gid
 * range for the user. Each gap is one ENV_ROOTLESS error (exit 2) that names the fix. The host's
 * files are parameters so that specs can check each refusal without changing the machine.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { StrataError } from "../errors/error.ts";
import { type IdRange, NEEDED_IDS, rangesOf, usableRange } from "./subids.ts";

export interface HostFiles {
  /** /proc/sys (sysctls). */
  readonly procSys: string;
  readonly subuid: string;
  readonly subgid: string;
  /** Where newuidmap and newgidmap are looked for. */
  readonly path: string;
}

export const HOST_FILES: HostFiles = {
  procSys: "/proc/sys",
  subuid: "/etc/subuid",
  subgid: "/etc/subgid",
  path: `${process.env.PATH ?? ""}${delimiter}/usr/bin${delimiter}/usr/sbin${delimiter}/bin${delimiter}/sbin`,
};

export interface Mapping {
  readonly uid: number;
  readonly gid: number;
  readonly uids: IdRange;
  readonly gids: IdRange;
  readonly newuidmap: string;
  readonly newgidmap: string;
}

const refuse = (message: string): StrataError => new StrataError("ENV_ROOTLESS", message);

function sysctl(files: HostFiles, name: string): string | undefined {
  try {
    return readFileSync(join(files.procSys, ...name.split(".")), "utf8").trim();
  } catch {
    return undefined;
  }
}

export function which(files: HostFiles, name: string): string | undefined {
  for (const dir of files.path.split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** User namespaces are not switched off by a sysctl. */
export function checkUserNamespaces(files: HostFiles = HOST_FILES): void {
  if (sysctl(files, "user.max_user_namespaces") === "0") {
    throw refuse("user namespaces are disabled on this host (user.max_user_namespaces = 0), and rootless mode runs in one: as root, sysctl -w user.max_user_namespaces=15000");
  }
  if (sysctl(files, "kernel.unprivileged_userns_clone") === "0") {
    throw refuse("unprivileged user namespaces are disabled on this host (kernel.unprivileged_userns_clone = 0), and rootless mode runs in one: as root, sysctl -w kernel.unprivileged_userns_clone=1");
  }
  if (sysctl(files, "kernel.apparmor_restrict_unprivileged_userns") === "1") {
    throw refuse("AppArmor restricts unprivileged user namespaces on this host (kernel.apparmor_restrict_unprivileged_userns = 1): as root, sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give strata an AppArmor profile that allows userns");
  }
}

/** The mapping of a rootless namespace for `user` (uid, gid): refuses what is missing. */
export function mappingFor(user: { name: string; uid: number; gid: number }, files: HostFiles = HOST_FILES): Mapping {
  checkUserNamespaces(files);
  const newuidmap = which(files, "newuidmap");
  const newgidmap = which(files, "newgidmap");
  if (newuidmap === undefined || newgidmap === undefined) {
    throw refuse(`rootless mode needs ${newuidmap === undefined ? "newuidmap" : "newgidmap"} to map the user namespace, and it is not installed: apt-get install uidmap (as root)`);
  }
  const range = (file: string, kind: "uid" | "gid"): IdRange => {
    const all = rangesOf(file, user.name, user.uid);
    const usable = usableRange(all);
    if (usable !== undefined) return usable;
    const fix = `usermod --add-sub${kind}s 100000-165535 ${user.name} (as root; any free range of ${NEEDED_IDS})`;
    if (all.length === 0) throw refuse(`user ${user.name} has no subordinate ${kind} range in ${file}, which rootless mode maps image ${kind}s 1-65535 to: ${fix}`);
    throw refuse(`user ${user.name}'s subordinate ${kind} ranges in ${file} are smaller than the ${NEEDED_IDS} ids images use: ${fix}`);
  };
  return { uid: user.uid, gid: user.gid, uids: range(files.subuid, "uid"), gids: range(files.subgid, "gid"), newuidmap, newgidmap };
}
