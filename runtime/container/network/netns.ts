/**
 * A persistent network namespace: made by unshare(1), which bind-mounts the new namespace on
 * a file (as `ip netns add` does under /run/netns), so it exists before the container's
 * process does and runc joins it by path; removed by unmounting the file (lazily: the stack
 * holds it open until it quits) and deleting it.
 */
import { execFile } from "node:child_process";
import { lstat, rm, writeFile } from "node:fs/promises";
import { StrataError } from "../../errors/error.ts";
import { unmount } from "../../fs/mount.ts";

export async function createNetns(path: string): Promise<void> {
  await writeFile(path, "", { flag: "wx" });
  await new Promise<void>((resolve, reject) => {
    execFile("unshare", [`--net=${path}`, "true"], { encoding: "utf8" }, (err, _out, stderr) => {
      if (err === null) resolve();
      else reject(new StrataError("NET_SETUP", `cannot create a network namespace at ${path}: ${(stderr || err.message).trim()}`));
    });
  });
}

export async function removeNetns(path: string): Promise<void> {
  if ((await lstat(path).catch(() => undefined)) === undefined) return;
  await unmount(path);
  await rm(path, { force: true });
}
