import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, chown, lstat, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Mount } from "../../../../compiler/ir/graph.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { liveLeases, takeLease, withMutex } from "./leases.ts";
import { RunMountError } from "./errors.ts";
import { exists } from "../../../fs/exists.ts";

/** execFile as a promise, made on first use (a warm build loads no child_process). */
const run = (file: string, args: readonly string[]) => promisify(execFile)(file, args);

/**
 * RUN --mount=type=cache directories, kept under the store's cache-mounts/
 * between builds and never part of a layer.
 *
 * A cache is named by its id (default: the target) and, when it is seeded
 * `from` a stage or image, by that source's content too — the digest of its
 * layers' diffIDs and the `source` path — never by the stage's index or the
 * image's ref (BuildKit keys such a cache by id and the base ref's snapshot),
 * so a changed seed makes a new cache, seeded from it. Each cache has
 * numbered instances:
 *
 *   cache-mounts/<sha256(name)[:32]>/name        the name, for people
 *   cache-mounts/<...>/mutex                     held while leases change
 *   cache-mounts/<...>/<n>/data                  the directory mounted
 *   cache-mounts/<...>/<n>/leases/               who uses instance n now
 *
 * - `shared` (default): instance 0, used by any number of RUNs at once (it
 *   waits only while a `locked` user holds it);
 * - `locked`: instance 0, alone: waits until nobody else uses it, across
 *   builds and processes;
 * - `private`: the first instance nobody uses, else a new one (BuildKit makes
 *   a new cache ref when the existing ones are in use).
 *
 * A new instance is created empty with `mode` (default 0755), `uid` and
 * `gid` (default 0), or as a copy of the `from` directory (`source` inside it).
 */
export interface CacheLease {
  readonly dir: string;
  release(): Promise<void>;
}

export interface CacheSeed {
  /** Host directory of the `from` root. */
  readonly root: string;
  /** Resolved host path of `source` inside it. */
  readonly path: string;
  /** The source for people (stage or image and path). */
  readonly name: string;
  /** What names the seed's content: the digest of the root's diffIDs, and the path. */
  readonly content: string;
}

export async function acquireCache(base: string, m: Mount, seed: CacheSeed | undefined): Promise<CacheLease> {
  const id = m.id ?? m.target;
  const name = seed === undefined ? id : `${id}\u0000${seed.content}`;
  const home = join(base, createHash("sha256").update(name).digest("hex").slice(0, 32));
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "name"), `${seed === undefined ? id : `${id} from ${seed.name} (${seed.content})`}\n`);
  const sharing = m.sharing ?? "shared";
  const mutex = join(home, "mutex");
  for (;;) {
    const got = await withMutex(mutex, async () => {
      for (let n = 0; ; n++) {
        const inst = join(home, String(n));
        const leases = await liveLeases(join(inst, "leases"));
        const free = sharing === "shared" ? !leases.includes("locked") : leases.length === 0;
        if (free || !(await exists(join(inst, "data")))) {
          await ensureInstance(inst, m, seed);
          const release = await takeLease(join(inst, "leases"), sharing);
          return { dir: join(inst, "data"), release };
        }
        if (sharing !== "private") return undefined;
      }
    });
    if (got !== undefined) return got;
    await sleep(50);
  }
}


async function ensureInstance(inst: string, m: Mount, seed: CacheSeed | undefined): Promise<void> {
  const data = join(inst, "data");
  if (await exists(data)) return;
  await mkdir(inst, { recursive: true });
  const tmp = join(inst, `data.tmp-${randomBytes(4).toString("hex")}`);
  try {
    if (seed !== undefined) {
      const st = await lstat(seed.path).catch(() => undefined);
      if (st?.isDirectory()) await run("cp", ["-a", "--", seed.path, tmp]);
      else throw new RunMountError(`cache mount from: "${seed.name}" is not a directory`);
    } else {
      await mkdir(tmp);
      await chmod(tmp, m.mode ?? 0o755);
      await chown(tmp, m.uid ?? 0, m.gid ?? 0);
    }
    await rename(tmp, data);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
