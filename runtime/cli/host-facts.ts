/**
 * What `strata version` and `strata info` report about this machine and store, gathered
 * without changing anything: the runc Strata runs (its `--version`), the kernel, whether
 * overlayfs works on the store's filesystem (the preflight's probe) and which snapshotter is
 * used (snapshot/select.ts), the cgroup version,
 * rootless or not, and the store's images and containers. Field names are docker's
 * (`docker info --format json`), so templates written for docker read them.
 */
import { execFile } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { arch, cpus, hostname, release, totalmem } from "node:os";
import { listContainers } from "../container/state.ts";
import { containerStatus, isRunning } from "../container/status.ts";
import { runcBinary } from "../runc/binary.ts";
import { parseRuncVersion } from "../runc/version-check.ts";
import { checkOverlay } from "../snapshot/overlay-probe.ts";
import { fuseUnavailable, type SnapshotterName, snapshotterName } from "../snapshot/select.ts";
import { inUserNamespace } from "../fs/userns.ts";
import { runnablePlatforms } from "../engine/plan/platforms.ts";
import type { Store } from "../store/store.ts";
import { strataVersion } from "./strata-version.ts";

/** Go's GOARCH for Node's arch (docker prints OS/Arch as linux/amd64). */
export function goArch(a: string = arch()): string {
  return ({ x64: "amd64", ia32: "386", arm: "arm", arm64: "arm64", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" } as Record<string, string>)[a] ?? a;
}

export interface RuncFacts {
  readonly Path: string;
  /** Absent when it does not run. */
  readonly Version?: string;
  readonly GitCommit?: string;
  readonly Error?: string;
}

export function runcFacts(): Promise<RuncFacts> {
  const bin = runcBinary();
  return new Promise((resolve) => {
    execFile(bin, ["--version"], { encoding: "utf8", timeout: 10_000, maxBuffer: 64 << 10 }, (err, stdout) => {
      if (err !== null) return resolve({ Path: bin, Error: err.message.split("\n")[0] ?? "" });
      const commit = /^commit: (\S+)/m.exec(stdout)?.[1];
      resolve({ Path: bin, Version: parseRuncVersion(stdout)?.version ?? stdout.split("\n")[0] ?? "", ...(commit !== undefined && { GitCommit: commit }) });
    });
  });
}

/** 2 with the unified hierarchy (cgroup.controllers at the root), else 1. */
async function cgroupVersion(): Promise<string> {
  return access("/sys/fs/cgroup/cgroup.controllers").then(
    () => "2",
    () => "1",
  );
}

async function operatingSystem(): Promise<string> {
  const text = await readFile("/etc/os-release", "utf8").catch(() => "");
  return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? "Linux";
}

export interface SystemInfo {
  readonly ServerVersion: string;
  readonly Containers: number;
  readonly ContainersRunning: number;
  readonly ContainersPaused: number;
  readonly ContainersStopped: number;
  readonly Images: number;
  /**
   * The snapshotter this store is used with (snapshot/select.ts): "overlayfs", "fuse-overlayfs" or
   * "native", the names of containerd's snapshotters, which docker with the containerd image store
   * reports here too (and STRATA_SNAPSHOTTER takes); "error" when STRATA_SNAPSHOTTER is unusable.
   */
  readonly Driver: SnapshotterName | "error";
  /** Which snapshotter and why: whether kernel overlayfs and fuse-overlayfs work here, the reason when not. */
  readonly DriverStatus: [string, string][];
  readonly CgroupVersion: string;
  readonly KernelVersion: string;
  readonly OperatingSystem: string;
  readonly OSType: "linux";
  readonly Architecture: string;
  /** The platforms whose programs RUN can execute here: the machine's own, and those a binfmt_misc emulator is registered for (buildx's "Platforms"). */
  readonly Platforms: string[];
  readonly NCPU: number;
  readonly MemTotal: number;
  /** The store root (docker's name for its root directory). */
  readonly DockerRootDir: string;
  readonly Rootless: boolean;
  readonly SecurityOptions: string[];
  /** The machine's host name. */
  readonly Name: string;
  readonly DefaultRuntime: "runc";
  readonly RuncCommit: { readonly ID: string };
  /** Whether STRATA_DEBUG is set. */
  readonly Debug: boolean;
  readonly Runc: RuncFacts;
}

export async function systemInfo(store: Store): Promise<SystemInfo> {
  const [runc, cgroup, os, overlay, fuse, driver, refs, containers, machine] = await Promise.all([
    runcFacts(),
    cgroupVersion(),
    operatingSystem(),
    checkOverlay(store.layout).then(
      () => "true",
      (e: Error) => `false (${e.message})`,
    ),
    fuseUnavailable().then((why) => (why === undefined ? "true" : `false (${why})`)),
    snapshotterName(store.layout).then(
      (name) => [name, "true"] as const,
      (e: Error) => ["error", `false (${e.message})`] as const,
    ),
    store.refs.list(),
    listContainers(store),
    runnablePlatforms(),
  ]);
  let running = 0;
  let paused = 0;
  for (const c of containers) {
    const status = await containerStatus(store, c);
    if (status.state === "paused") paused++;
    else if (isRunning(status)) running++;
  }
  const rootless = process.getuid?.() !== 0 || inUserNamespace();
  return {
    ServerVersion: strataVersion(),
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: containers.length - running - paused,
    Images: new Set(refs.map((r) => r.descriptor.digest)).size,
    Driver: driver[0],
    DriverStatus: [
      ["Supports overlay", overlay],
      ["Supports fuse-overlayfs", fuse],
      ...(driver[0] === "error" ? [["Snapshotter usable", driver[1]] as [string, string]] : []),
    ],
    CgroupVersion: cgroup,
    KernelVersion: release(),
    OperatingSystem: os,
    OSType: "linux",
    Architecture: arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch(),
    Platforms: [...new Set(machine.runnable)],
    NCPU: cpus().length,
    MemTotal: totalmem(),
    DockerRootDir: store.layout.root,
    Rootless: rootless,
    SecurityOptions: rootless ? ["name=rootless"] : [],
    Name: hostname(),
    DefaultRuntime: "runc",
    RuncCommit: { ID: runc.GitCommit ?? "" },
    Debug: Boolean(process.env.STRATA_DEBUG),
    Runc: runc,
  };
}
