import { spawn } from "node:child_process";
import { lstat, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { secureJoin } from "../fs/secure-join.ts";
import { StrataError } from "../errors/error.ts";

/**
 * Named volumes (`--mount type=volume,source=NAME`), kept as docker's local
 * driver keeps them: `<root>/volumes/<name>/_data`, made on first use and
 * kept when the container goes. A volume without a source is anonymous: a
 * random 64-hex name, recorded as such on the container. When a volume is
 * empty at start and the image has files at its target, they are copied into
 * it first (docker's copy-up; `volume-nocopy` turns it off).
 */
export function volumesDir(root: string): string {
  return join(root, "volumes");
}

export function volumeData(root: string, name: string): string {
  return join(volumesDir(root), name, "_data");
}

/** docker's rule for local volume names (at least two characters, no slash, so never a path out of volumes/). */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkVolumeName(name: string): void {
  if (name.length < 2) throw new StrataError("CONTAINER_USAGE", `create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!NAME_RE.test(name)) throw new StrataError("CONTAINER_USAGE", `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
}

/** Makes the volume's data dir when missing. */
export async function ensureVolume(root: string, name: string): Promise<string> {
  checkVolumeName(name);
  const dir = volumeData(root, name);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/** docker's copy-up: the image's files at `target` (inside the mounted rootfs) into an empty volume. */
export async function copyUp(rootfs: string, target: string, data: string): Promise<void> {
  if ((await readdir(data)).length > 0) return;
  const from = await secureJoin(rootfs, target);
  const st = await lstat(from).catch(() => undefined);
  if (st === undefined || !st.isDirectory() || (await readdir(from)).length === 0) return;
  await new Promise<void>((resolve, reject) => {
    const cp = spawn("cp", ["-a", "--", `${from}/.`, `${data}/`], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    cp.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    cp.on("error", reject);
    cp.on("close", (code) => (code === 0 ? resolve() : reject(new StrataError("CONTAINER_USAGE", `copying the image's ${target} into volume ${data}: ${err.trim()}`))));
  });
}
