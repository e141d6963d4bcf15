/**
 * docker's `container inspect` JSON for one container (moby's ContainerJSON), with docker's
 * names, shapes and zero values, from its record, its status, the image config it was created
 * from and the runc bundle of its last start (the files it was given as /etc/hosts,
 * /etc/resolv.conf and /etc/hostname, its masked paths). One function per part, so each part
 * grows on its own: State, Config, HostConfig, Mounts, GraphDriver, NetworkSettings.
 */
import type { HostConfig } from "../container/host-config.ts";
import { type BundleSpec, loadBundleSpec } from "../container/bundle-spec.ts";
import { startFailure } from "../container/start.ts";
import { type ContainerRecord, ContainerPaths, loadImageConfig } from "../container/state.ts";
import type { ContainerStatus } from "../container/status.ts";
import { snapshotterFor } from "../snapshot/select.ts";
import type { ImageConfigJson } from "../store/oci.ts";
import type { Store } from "../store/store.ts";
import { networkConfigFields, networkHostConfig, networkSettings } from "./network-view.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";
/** docker's default /dev/shm, and the runtime's. */
const SHM_SIZE = 64 * 1024 * 1024;

/** What one container's inspect object is made from. */
export interface InspectSource {
  readonly rec: ContainerRecord;
  readonly status: ContainerStatus;
  readonly image: ImageConfigJson | undefined;
  readonly bundle: BundleSpec | undefined;
  readonly paths: ContainerPaths;
  /** The overlay's lower dirs, topmost first (the init layer, then the image's). */
  readonly lowerDirs: readonly string[];
  /** Why the last start failed (docker's State.Error), or "". */
  readonly error: string;
}

export async function inspectSource(store: Store, rec: ContainerRecord, status: ContainerStatus): Promise<InspectSource> {
  const paths = new ContainerPaths(store.layout.root, rec.id);
  const snapshots = await snapshotterFor(store);
  const failure = status.state === "created" && status.exitCode !== undefined ? await startFailure(store, rec) : undefined;
  return {
    rec,
    status,
    image: await loadImageConfig(store, rec.id).catch(() => undefined),
    bundle: await loadBundleSpec(store.layout.root, rec.id),
    paths,
    lowerDirs: [paths.init, ...[...new Set([...rec.diffIds].reverse())].map((d) => snapshots.layerDir(d))],
    error: failure?.message ?? "",
  };
}

/** The host file the bundle mounted at `destination` (/etc/hosts …), or "" before any start. */
function mountedFile(i: InspectSource, destination: string): string {
  return i.bundle?.mounts?.find((m) => m.destination === destination)?.source ?? "";
}

function state(i: InspectSource): Record<string, unknown> {
  const s = i.status;
  return {
    Status: s.state,
    Running: s.state === "running" || s.state === "paused" || s.state === "restarting",
    Paused: s.state === "paused",
    Restarting: s.state === "restarting",
    OOMKilled: false,
    Dead: false,
    Pid: s.pid ?? 0,
    ExitCode: s.exitCode ?? 0,
    Error: i.error,
    StartedAt: i.rec.startedAt ?? ZERO_TIME,
    FinishedAt: s.finishedAt || ZERO_TIME,
    ...(i.rec.healthcheck !== undefined && i.rec.healthcheck.Test[0] !== "NONE" && { Health: s.health ?? { Status: "starting", FailingStreak: 0, Log: [] } }),
  };
}

function config(i: InspectSource): Record<string, unknown> {
  const { rec } = i;
  const img = i.image?.config;
  const { ExposedPorts: netPorts, ...net } = networkConfigFields(rec);
  const exposed = { ...img?.ExposedPorts, ...netPorts };
  return {
    ...net,
    Domainname: "",
    User: rec.user,
    AttachStdin: rec.interactive,
    AttachStdout: true,
    AttachStderr: true,
    ...(Object.keys(exposed).length > 0 && { ExposedPorts: exposed }),
    Tty: rec.tty,
    OpenStdin: rec.interactive,
    StdinOnce: false,
    Env: rec.env,
    Cmd: rec.cmd,
    ...((rec.healthcheck ?? img?.Healthcheck) !== undefined && { Healthcheck: rec.healthcheck ?? img?.Healthcheck }),
    Image: rec.image,
    Volumes: img?.Volumes ?? null,
    WorkingDir: rec.workdir,
    Entrypoint: rec.entrypoint,
    OnBuild: img?.OnBuild ?? null,
    // A Go map: encoding/json writes its keys sorted.
    Labels: Object.fromEntries(Object.entries(rec.labels ?? img?.Labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    StopSignal: rec.stopSignal,
    ...(rec.stopTimeout !== undefined && { StopTimeout: rec.stopTimeout }),
  };
}

/** docker's SecurityOpt strings for what --security-opt and --privileged set. */
function securityOpt(h: HostConfig): string[] | null {
  const out = [...(h.seccomp === "unconfined" ? ["seccomp=unconfined"] : []), ...(h.noNewPrivileges ? ["no-new-privileges"] : [])];
  return out.length === 0 ? null : out;
}

function hostConfig(i: InspectSource): Record<string, unknown> {
  const { rec } = i;
  const h: HostConfig = rec.hostConfig ?? {};
  return {
    Binds: rec.binds.length === 0 ? null : rec.binds.map((b) => `${b.source}:${b.destination}${b.readonly ? ":ro" : ""}`),
    ContainerIDFile: "",
    ...networkHostConfig(rec),
    LogConfig: { Type: "json-file", Config: {} },
    RestartPolicy: rec.restartPolicy ?? { Name: "no", MaximumRetryCount: 0 },
    AutoRemove: rec.autoRemove,
    VolumeDriver: "",
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: h.capAdd ?? null,
    CapDrop: h.capDrop ?? null,
    CgroupnsMode: "host",
    GroupAdd: null,
    IpcMode: "private",
    Cgroup: "",
    Links: null,
    OomScoreAdj: 0,
    PidMode: "",
    Privileged: h.privileged ?? false,
    ReadonlyRootfs: h.readonlyRootfs ?? i.bundle?.root?.readonly ?? false,
    SecurityOpt: securityOpt(h),
    UTSMode: "",
    UsernsMode: "",
    ShmSize: SHM_SIZE,
    Runtime: "runc",
    Isolation: "",
    CpuShares: 0,
    Memory: h.memory ?? 0,
    NanoCpus: h.nanoCpus ?? 0,
    CgroupParent: "",
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: "",
    CpusetMems: "",
    Devices: (h.devices ?? []).map((d) => ({ PathOnHost: d.pathOnHost, PathInContainer: d.pathInContainer, CgroupPermissions: d.permissions })),
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: h.memorySwap ?? 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: h.pidsLimit ?? null,
    Ulimits: (h.ulimits ?? []).map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    ...(h.init === true && { Init: true }),
    MaskedPaths: i.bundle?.linux?.maskedPaths ?? null,
    ReadonlyPaths: i.bundle?.linux?.readonlyPaths ?? null,
  };
}

function mounts(i: InspectSource): Record<string, unknown>[] {
  return i.rec.binds.map((b) => ({ Type: "bind", Source: b.source, Destination: b.destination, Mode: b.readonly ? "ro" : "", RW: !b.readonly, Propagation: "rprivate" }));
}

function graphDriver(i: InspectSource): Record<string, unknown> {
  return { Data: { LowerDir: i.lowerDirs.join(":"), MergedDir: i.paths.merged, UpperDir: i.paths.upper, WorkDir: i.paths.work }, Name: "overlay" };
}

export function containerInspect(i: InspectSource): Record<string, unknown> {
  const { rec } = i;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.args[0] ?? "",
    Args: rec.args.slice(1),
    State: state(i),
    Image: rec.imageId,
    ResolvConfPath: mountedFile(i, "/etc/resolv.conf"),
    HostnamePath: mountedFile(i, "/etc/hostname"),
    HostsPath: mountedFile(i, "/etc/hosts"),
    LogPath: i.paths.log,
    Name: `/${rec.name}`,
    RestartCount: i.status.restartCount,
    Driver: "overlay",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: null,
    HostConfig: hostConfig(i),
    GraphDriver: graphDriver(i),
    Mounts: mounts(i),
    Config: config(i),
    NetworkSettings: networkSettings(rec, i.status),
  };
}
