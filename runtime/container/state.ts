import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Healthcheck } from "../../compiler/ir/image-config.ts";
import type { Descriptor } from "../store/content-store.ts";
import type { ImageConfigJson } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { ContainerPaths, containersDir } from "../store/container-paths.ts";
import type { RestartPolicy } from "./monitor/restart-policy.ts";
import { generateName } from "./names.ts";
import { StrataError } from "../errors/error.ts";
import type { NetworkConfig, NetworkState } from "./network/config.ts";
import type { SnapshotterName } from "../snapshot/select.ts";
import type { HostConfig } from "./host-config.ts";

/**
 * Containers are state on disk and outlive the strata process that made
 * them. Each lives in `<root>/containers/<id>/` — deliberately outside
 * `run/`, whose dirs are reclaimed when their owner process dies:
 *
 *   config.json        this record (ContainerRecord), rewritten atomically
 *   image.json         the image config the container was created from (commit starts from it)
 *   init/              docker's "init layer": mount points runc needs (/etc/hosts, -v targets),
 *                      a lower dir of its own so they never show in `diff` nor in a commit
 *   upper/ work/       the overlay's upper and work dirs: the container's changes
 *   merged/            the overlay mount (mounted while the container runs)
 *   bundle/config.json the runc bundle (rootfs = merged/)
 *   json.log           the process's stdout and stderr, one JSON entry per line (log-file.ts),
 *                      rotated to json.log.1, json.log.2; container.log in containers made before
 *   runc.log           runc's own log (json), read to explain a failed start
 *   exit               "<code> <finished ISO time>", written by the monitor when the process ends
 *   pid                the process's host pid while it runs (runc's --pid-file)
 *   state.json         the monitor's record: phase (restarting…), restart count, health (monitor/state-file.ts)
 *   control.sock       the monitor's sockets while it runs (monitor/sockets.ts)
 *   attach.sock
 *   monitor.log        the monitor's own errors
 *   hosts resolv.conf hostname   its /etc files; net/ its network namespace and stack while it runs (network/setup.ts)
 *
 * The runc container id is `strata-c-<12 hex>`: reclaim.ts leaves those alone.
 * Names are reserved in `containers/names/<name>` (created O_EXCL, holding the id).
 */
export interface BindMount {
  readonly source: string;
  readonly destination: string;
  readonly readonly: boolean;
}

export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  /** The image reference as given to `run`. */
  readonly image: string;
  /** The image ID (its config digest). */
  readonly imageId: string;
  /** The image's layers (bottom first) and their diffIDs. */
  readonly layers: readonly Descriptor[];
  readonly diffIds: readonly string[];
  /** The snapshotter it was created with (snapshot/select.ts); absent in older records: overlay form. */
  readonly snapshotter?: SnapshotterName;
  /** The process: argv, environment, working dir, user as given (resolved at each start). */
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly workdir: string;
  readonly user: string;
  /** What `commit` keeps of the run command line (docker's container config). */
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly tty: boolean;
  readonly interactive: boolean;
  readonly binds: readonly BindMount[];
  readonly stopSignal: string;
  /** `--stop-timeout`: seconds `stop` waits before SIGKILL (docker's default 10 when absent; -1 waits for ever). */
  readonly stopTimeout?: number;
  readonly autoRemove: boolean;
  /** `--restart`: what the monitor does when the process ends (absent: no). */
  readonly restartPolicy?: RestartPolicy;
  /** The health check the monitor runs: the image's HEALTHCHECK with the `--health-*` flags (monitor/health-config.ts). */
  readonly healthcheck?: Healthcheck;
  readonly created: string;
  startedAt?: string;
  /** --network, -p, -P, --expose, --hostname, --add-host, --dns* (network/config.ts); absent in older records: the host's network. */
  readonly network?: NetworkConfig;
  /** What the last start set up: the host ports it bound, the namespace's address (network/setup.ts). */
  networkState?: NetworkState;
  /** `run`'s mounts, security, limits, init, ulimits and devices (host-config.ts); absent in older records. */
  readonly hostConfig?: HostConfig;
  /** The image's labels with `--label` over them. */
  readonly labels?: Readonly<Record<string, string>>;
  /** `-a`: the streams a foreground run connects (absent: stdout and stderr, and stdin with -i). */
  readonly attach?: readonly ("stdin" | "stdout" | "stderr")[];
}

export class NoSuchContainerError extends StrataError {
  constructor(ref: string) {
    super("NO_SUCH_CONTAINER", `No such container: ${ref}`);
  }
}

export { ContainerPaths, containersDir };

function namesDir(root: string): string {
  return join(containersDir(root), "names");
}

/** runc's id for a container (short: runc keeps sockets and fifos under its state dir). */
export function runcId(id: string): string {
  return `strata-c-${id.slice(0, 12)}`;
}

export function newId(): string {
  return randomBytes(32).toString("hex");
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class NameInUseError extends StrataError {
  constructor(message: string) {
    super("NAME_IN_USE", message);
  }
}

/** Reserves `name` (or a generated one) for `id`; names are unique per store. */
export async function reserveName(store: Store, id: string, name: string | undefined): Promise<string> {
  await mkdir(namesDir(store.layout.root), { recursive: true });
  if (name !== undefined) {
    if (!NAME_RE.test(name)) throw new NameInUseError(`invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(join(namesDir(store.layout.root), name), id, { flag: "wx" });
        return name;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        const other = await readFile(join(namesDir(store.layout.root), name), "utf8").catch(() => "");
        if (attempt === 0 && (await dropStaleName(store.layout.root, name, other))) continue;
        throw new NameInUseError(`the container name "${name}" is already in use by container ${other.slice(0, 12)}; remove that container (strata rm ${name}) or choose another --name`);
      }
    }
  }
  for (let attempt = 0; ; attempt++) {
    const candidate = generateName(attempt >= 3);
    try {
      await writeFile(join(namesDir(store.layout.root), candidate), id, { flag: "wx" });
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 50) throw e;
    }
  }
}

/** How old a name must be before its missing container makes it stale: a container's dir is made right after its name. */
const STALE_NAME_MS = 10_000;

/**
 * Removes a name whose container is gone (removed by a monitor that knew it by its name before
 * a rename): true when it was stale. Taken by one rename, so two processes reserving it cannot
 * both remove it.
 */
async function dropStaleName(root: string, name: string, id: string): Promise<boolean> {
  if (!/^[a-f0-9]{64}$/.test(id) || (await stat(new ContainerPaths(root, id).dir).catch(() => undefined)) !== undefined) return false;
  const st = await stat(join(namesDir(root), name)).catch(() => undefined);
  if (st === undefined || Date.now() - st.mtimeMs < STALE_NAME_MS) return false;
  const aside = join(namesDir(root), `.stale-${name}-${process.pid}`);
  try {
    await rename(join(namesDir(root), name), aside);
  } catch {
    return false;
  }
  if ((await readFile(aside, "utf8").catch(() => "")) !== id) {
    // Someone reserved it in between: give it back.
    await rename(aside, join(namesDir(root), name)).catch(() => undefined);
    return false;
  }
  await rm(aside, { force: true });
  return true;
}

export async function releaseName(store: Store, name: string): Promise<void> {
  await rm(join(namesDir(store.layout.root), name), { force: true });
}

export async function saveRecord(store: Store, rec: ContainerRecord): Promise<void> {
  const p = new ContainerPaths(store.layout.root, rec.id);
  const tmp = `${p.config}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  await rename(tmp, p.config);
}

export async function saveImageConfig(store: Store, id: string, config: ImageConfigJson): Promise<void> {
  await writeFile(new ContainerPaths(store.layout.root, id).imageConfig, JSON.stringify(config));
}

export async function loadImageConfig(store: Store, id: string): Promise<ImageConfigJson> {
  return JSON.parse(await readFile(new ContainerPaths(store.layout.root, id).imageConfig, "utf8")) as ImageConfigJson;
}

async function readRecord(root: string, id: string): Promise<ContainerRecord | undefined> {
  const text = await readFile(new ContainerPaths(root, id).config, "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as ContainerRecord);
}

/** Every container of the store, newest first. */
export async function listContainers(store: Store): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  for (const id of await readdir(containersDir(store.layout.root)).catch(() => [] as string[])) {
    if (!/^[a-f0-9]{64}$/.test(id)) continue;
    const rec = await readRecord(store.layout.root, id);
    if (rec !== undefined) out.push(rec);
  }
  // RFC 3339 times compare as strings (localeCompare would load ICU's collator).
  return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

/** A container by name, full id or unique id prefix (as docker resolves them). */
export async function findContainer(store: Store, ref: string): Promise<ContainerRecord> {
  const byName = (await readFile(join(namesDir(store.layout.root), ref), "utf8").catch(() => undefined))?.trim();
  if (byName !== undefined && NAME_RE.test(ref)) {
    const rec = await readRecord(store.layout.root, byName);
    if (rec !== undefined) return rec;
  }
  if (/^[a-f0-9]+$/.test(ref)) {
    const ids = (await readdir(containersDir(store.layout.root)).catch(() => [] as string[])).filter((id) => /^[a-f0-9]{64}$/.test(id) && id.startsWith(ref));
    if (ids.length > 1) throw new StrataError("CONTAINER_AMBIGUOUS", `multiple containers match the id prefix ${ref}: give more of the id or the name`);
    const rec = ids[0] === undefined ? undefined : await readRecord(store.layout.root, ids[0]);
    if (rec !== undefined) return rec;
  }
  throw new NoSuchContainerError(ref);
}
