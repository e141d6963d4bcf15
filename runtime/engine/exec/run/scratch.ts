import { execFile } from "node:child_process";
import { chmod, chown, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { unmount } from "../../../fs/mount.ts";
import { StrataError } from "../../../errors/error.ts";

/** execFile as a promise, made on first use (a warm build loads no child_process). */
const run = (file: string, args: readonly string[]) => promisify(execFile)(file, args);

/**
 * A RUN step's scratch space outside its rootfs: a private tmpfs (mode 0700)
 * that holds what the container sees but the layer must never contain — the
 * runc bundle (its config.json carries secret env values), secret files,
 * heredoc scripts, the generated /etc/hosts and /etc/resolv.conf. Nothing in
 * it ever reaches a disk; `close` unmounts it.
 */
export class Scratch {
  readonly dir: string;
  #mounted = false;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<Scratch> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const s = new Scratch(dir);
    try {
      await run("mount", ["-t", "tmpfs", "-o", "mode=0700,nosuid,nodev", "strata-scratch", dir]);
      s.#mounted = true;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new StrataError("RUN_SETUP", `cannot mount the RUN scratch tmpfs on ${dir}: ${(err.stderr || err.message).trim()}`);
    }
    return s;
  }

  /** Writes a file under the scratch dir with exactly this mode and owner; returns its host path. */
  async file(rel: string, data: string | Uint8Array, mode: number, owner: { uid: number; gid: number } = { uid: 0, gid: 0 }): Promise<string> {
    const p = join(this.dir, rel);
    await mkdir(dirname(p), { recursive: true, mode: 0o755 });
    await writeFile(p, data, { mode });
    await chmod(p, mode);
    await chown(p, owner.uid, owner.gid);
    return p;
  }

  /** A directory under the scratch dir (for mounts of several files). */
  async subdir(rel: string, mode = 0o755): Promise<string> {
    const p = join(this.dir, rel);
    await mkdir(p, { recursive: true, mode });
    await chmod(p, mode);
    return p;
  }

  async close(): Promise<void> {
    if (this.#mounted) await unmount(this.dir);
    this.#mounted = false;
    await rm(this.dir, { recursive: true, force: true });
  }
}
