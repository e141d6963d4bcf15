import { lstat, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { DEFAULT_PATH, envLookup } from "../../compiler/ir/env.ts";
import { normalize } from "../../compiler/lower/config.ts";
import { hostPlatform, imagePlatform, platformMatches } from "../../compiler/lower/platform.ts";
import { checkLayerDepth } from "../snapshot/layer-depth.ts";
import { snapshotterFor, snapshotterName } from "../snapshot/select.ts";
import type { Store } from "../store/store.ts";
import { type BindMount, type ContainerRecord, ContainerPaths, containersDir, newId, releaseName, reserveName, saveImageConfig, saveRecord } from "./state.ts";
import { StrataError } from "../errors/error.ts";
import { unpackLayers } from "../registry/refetch.ts";
import { type HealthFlags, mergeHealthcheck } from "./monitor/health-config.ts";
import type { RestartPolicy } from "./monitor/restart-policy.ts";
import { recordedNetwork } from "./container-network.ts";
import type { NetworkRequest } from "./network/config.ts";
import { type HostConfig, hostMountPoints, prepareHostConfig, setMountPointModes } from "./host-config.ts";

export interface CreateOptions {
  readonly store: Store;
  readonly image: string;
  readonly command: readonly string[];
  readonly env?: readonly string[];
  readonly workdir?: string | undefined;
  readonly user?: string | undefined;
  readonly entrypoint?: string | undefined;
  readonly name?: string | undefined;
  readonly tty?: boolean;
  readonly interactive?: boolean;
  /** `-v HOSTDIR:DIR[:ro|rw]` values. */
  readonly volumes?: readonly string[];
  readonly autoRemove?: boolean;
  /** The monitor's part (cli/container-flags/monitor.ts): --restart, --health-*, --stop-signal, --stop-timeout. */
  readonly restartPolicy?: RestartPolicy | undefined;
  readonly health?: HealthFlags | undefined;
  readonly stopSignal?: string | undefined;
  readonly stopTimeout?: number | undefined;
  /** --network, -p, -P, --expose, --hostname, --add-host, --dns* (cli/container-flags/network.ts); default: a private network. */
  readonly network?: NetworkRequest | undefined;
  /** `--mount`, `--tmpfs`, `--read-only`, capabilities, seccomp, limits, `--init`, `--ulimit`, `--device` (host-config.ts). */
  readonly hostConfig?: HostConfig;
  /** `--label K=V`, over the image's labels. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly attach?: readonly ("stdin" | "stdout" | "stderr")[];
  /** Where docker's daemon warnings go (a limit this host cannot apply, an image of another platform than this machine's). */
  readonly warn?: (message: string) => void;
  /** `--platform`: the image's child of that platform when the name is an image index (else this machine's). */
  readonly platform?: string | undefined;
}

/** A problem with what the user asked for (docker's 125). */
export class ContainerUsageError extends StrataError {
  constructor(message: string) {
    super("CONTAINER_USAGE", message);
  }
}

/** docker's rule: Entrypoint + (command line args or Cmd); --entrypoint replaces Entrypoint and drops Cmd. */
export function containerArgs(cfg: { Entrypoint?: string[] | null | undefined; Cmd?: string[] | null | undefined }, command: readonly string[], entrypoint?: string): string[] {
  const ep = entrypoint !== undefined ? (entrypoint === "" ? [] : [entrypoint]) : (cfg.Entrypoint ?? []);
  const cmd = command.length > 0 ? [...command] : entrypoint !== undefined ? [] : (cfg.Cmd ?? []);
  return [...ep, ...cmd];
}

/** `-e K=V` over the image's Env; a bare `-e K` takes the host's value of K (and is dropped when unset), as docker does. */
export function mergeEnv(imageEnv: readonly string[], extra: readonly string[]): string[] {
  let env = [...imageEnv];
  for (const e of extra) {
    const eq = e.indexOf("=");
    const key = eq < 0 ? e : e.slice(0, eq);
    const value = eq < 0 ? process.env[e] : e.slice(eq + 1);
    if (key === "") throw new ContainerUsageError(`invalid environment variable "${e}": give KEY=VALUE`);
    if (value === undefined) continue;
    env = [...env.filter((x) => x !== key && !x.startsWith(`${key}=`)), `${key}=${value}`];
  }
  if (envLookup(env, "PATH") === undefined) env.push(`PATH=${DEFAULT_PATH}`);
  return env;
}

/** `-v HOSTDIR:DIR[:ro|rw]`; a missing host directory is created, as docker does for binds. */
export async function parseVolume(spec: string): Promise<BindMount> {
  const parts = spec.split(":");
  if (parts.length < 2 || parts.length > 3) throw new ContainerUsageError(`invalid volume "${spec}": give HOSTDIR:DIR or HOSTDIR:DIR:ro`);
  const [source = "", destination = "", mode = "rw"] = parts;
  if (!isAbsolute(source)) throw new ContainerUsageError(`invalid volume "${spec}": the host path ${source} must be absolute (named volumes are not supported)`);
  if (!isAbsolute(destination)) throw new ContainerUsageError(`invalid volume "${spec}": the container path ${destination} must be absolute`);
  if (mode !== "ro" && mode !== "rw") throw new ContainerUsageError(`invalid volume "${spec}": the mode must be ro or rw, not ${mode}`);
  await mkdir(source, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  return { source, destination: normalize(destination), readonly: mode === "ro" };
}

/** What runc bind-mounts into every container besides the user's volumes. */
export const STANDARD_BINDS = ["/etc/hosts", "/etc/resolv.conf", "/etc/hostname"] as const;

/** Whether `path` exists in the image, looking at the layer dirs topmost first (a whiteout hides it). */
async function existsInLayers(layerDirs: readonly string[], path: string): Promise<boolean> {
  for (const dir of layerDirs) {
    const st = await lstat(join(dir, path)).catch(() => undefined);
    if (st === undefined) continue;
    return !(st.isCharacterDevice() && st.rdev === 0);
  }
  return false;
}

/**
 * docker's init layer: the mount points runc would otherwise create in the
 * container's own upper dir (so they would show in `diff` and end up in a
 * commit) are made here, in a lower dir of their own, when the image lacks them.
 */
async function makeInitLayer(init: string, layerDirs: readonly string[], files: readonly string[], dirs: readonly string[]): Promise<void> {
  await mkdir(init, { recursive: true });
  for (const d of ["/proc", "/sys", "/dev", ...dirs]) {
    if (!(await existsInLayers(layerDirs, d))) await mkdir(join(init, d), { recursive: true, mode: 0o755 });
  }
  for (const f of files) {
    if (await existsInLayers(layerDirs, f)) continue;
    await mkdir(join(init, dirname(f)), { recursive: true, mode: 0o755 });
    await writeFile(join(init, f), "", { mode: 0o644 });
  }
}

/** Creates a container (state on disk, no process yet): `docker create`. */
export async function createContainer(o: CreateOptions): Promise<ContainerRecord> {
  const { store } = o;
  const img = await store.getImage(o.image, o.platform);
  const host = hostPlatform(process.arch);
  if (o.platform === undefined && !platformMatches(host, imagePlatform(img.config))) {
    o.warn?.(`The requested image's platform (${imagePlatform(img.config)}) does not match the detected host platform (${host}) and no specific platform was requested`);
  }
  const cfg = img.config.config;
  const args = containerArgs(cfg, o.command, o.entrypoint);
  if (args.length === 0) throw new ContainerUsageError(`no command specified: the image ${o.image} has no CMD or ENTRYPOINT; give one after the image name`);
  const binds: BindMount[] = [];
  for (const v of o.volumes ?? []) binds.push(await parseVolume(v));
  const hostConfig = o.hostConfig === undefined ? undefined : await prepareHostConfig(o.hostConfig, o.warn ?? (() => undefined));
  const env = mergeEnv(cfg.Env ?? [], o.env ?? []);
  const workdir = o.workdir !== undefined && o.workdir !== "" ? o.workdir : cfg.WorkingDir || "/";
  const healthcheck = mergeHealthcheck(cfg.Healthcheck, o.health);
  if (!isAbsolute(workdir)) throw new ContainerUsageError(`the working directory "${workdir}" is invalid: it needs to be an absolute path`);
  const network = await recordedNetwork(store, o.network, cfg.ExposedPorts);

  const snapshots = await snapshotterFor(store);
  const diffIds = img.config.rootfs.diff_ids;
  checkLayerDepth(`image ${o.image}`, new Set(diffIds).size, ContainerPaths.longest(store.layout.root).mountPaths);
  await unpackLayers(store, snapshots, diffIds, img.manifest.layers);

  const id = newId();
  const name = await reserveName(store, id, o.name);
  const paths = new ContainerPaths(store.layout.root, id);
  try {
    await mkdir(containersDir(store.layout.root), { recursive: true });
    await mkdir(paths.dir);
    await Promise.all([paths.upper, paths.work, paths.merged, paths.bundle].map((d) => mkdir(d, { recursive: true })));
    const layerDirs = [...new Set([...diffIds].reverse())].map((d) => snapshots.layerDir(d));
    const fileBinds: string[] = [];
    const dirBinds: string[] = [];
    for (const b of binds) {
      const st = await lstat(b.source);
      (st.isDirectory() ? dirBinds : fileBinds).push(b.destination);
    }
    const host = await hostMountPoints(hostConfig);
    await makeInitLayer(paths.init, layerDirs, [...STANDARD_BINDS, ...fileBinds, ...host.files], [...dirBinds, ...host.dirs]);
    await setMountPointModes(paths.init, hostConfig);
    await writeFile(join(paths.dir, "hostname"), `${id.slice(0, 12)}\n`);
    const rec: ContainerRecord = {
      id,
      name,
      image: o.image,
      imageId: img.configDigest,
      layers: img.manifest.layers,
      diffIds,
      snapshotter: await snapshotterName(store.layout),
      args,
      env,
      workdir,
      user: o.user ?? cfg.User ?? "",
      entrypoint: o.entrypoint !== undefined ? (o.entrypoint === "" ? null : [o.entrypoint]) : (cfg.Entrypoint ?? null),
      cmd: o.command.length > 0 ? [...o.command] : o.entrypoint !== undefined ? null : (cfg.Cmd ?? null),
      tty: o.tty ?? false,
      interactive: o.interactive ?? false,
      binds,
      stopSignal: o.stopSignal || cfg.StopSignal || "SIGTERM",
      autoRemove: o.autoRemove ?? false,
      created: new Date().toISOString(),
      ...(o.stopTimeout !== undefined && { stopTimeout: o.stopTimeout }),
      ...(o.restartPolicy !== undefined && o.restartPolicy.Name !== "no" && { restartPolicy: o.restartPolicy }),
      ...(healthcheck !== undefined && { healthcheck }),
      network,
      ...(hostConfig !== undefined && { hostConfig }),
      ...((cfg.Labels !== undefined || o.labels !== undefined) && { labels: { ...cfg.Labels, ...o.labels } }),
      ...(o.attach !== undefined && o.attach.length > 0 && { attach: o.attach }),
    };
    await saveImageConfig(store, id, img.config);
    await saveRecord(store, rec);
    return rec;
  } catch (e) {
    await rm(paths.dir, { recursive: true, force: true });
    await releaseName(store, name);
    throw e;
  }
}
