import { DEFAULT_CAPS, tweakCaps } from "../runc/capabilities.ts";
import { boundingCaps, hostDevice, hostDevices } from "../runc/privileged.ts";
import { seccompFor, toOciSeccomp } from "../runc/seccomp.ts";
import type { ExtraMount, SpecInput } from "../runc/spec.ts";
import { StrataError } from "../errors/error.ts";
import { type HostConfig, INIT_PATH, initBinary } from "./host-config.ts";
import { copyUp, ensureVolume } from "./volumes.ts";

/** The CFS period docker uses for --cpus. */
const CPU_PERIOD = 100_000;

/** What a container's HostConfig adds to its runc spec (SpecInput fields), its mounts, and the init before its argv. */
export interface HostSpec {
  readonly spec: Pick<SpecInput, "security" | "insecureCaps" | "devices" | "capabilities" | "seccomp" | "noNewPrivileges" | "resources" | "extraDevices" | "ulimits" | "readonlyRootfs">;
  readonly mounts: readonly ExtraMount[];
  readonly argsPrefix: readonly string[];
}

/**
 * The runc spec parts for a container's HostConfig, made at each start (the
 * rootfs mounted: a new named volume gets the image's files first). Without
 * a HostConfig (a record of an older strata) the container gets docker's
 * defaults: its capabilities and the default seccomp profile.
 */
export async function hostSpec(root: string, hc: HostConfig | undefined, rootfs: string): Promise<HostSpec> {
  const h = hc ?? {};
  const privileged = h.privileged ?? false;
  const all = privileged || (h.capAdd ?? []).includes("ALL") ? await boundingCaps() : [];
  const caps = privileged ? all : (h.capAdd?.length ?? 0) + (h.capDrop?.length ?? 0) > 0 ? tweakCaps(h.capAdd ?? [], h.capDrop ?? [], all) : DEFAULT_CAPS;
  const seccomp = privileged || h.seccomp === "unconfined" ? undefined : h.seccomp !== undefined ? toOciSeccomp(h.seccomp.profile, caps) : await seccompFor({ kind: "default" }, caps);
  const mounts: ExtraMount[] = [{ destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"] }];
  for (const m of h.mounts ?? []) {
    if (m.type === "tmpfs") mounts.push({ destination: m.target, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", ...m.options, ...(m.readonly ? ["ro"] : [])] });
    else if (m.type === "bind") mounts.push({ destination: m.target, type: "bind", source: m.source, options: [m.nonRecursive ? "bind" : "rbind", m.readonly ? "ro" : "rw", ...(m.propagation !== undefined ? [m.propagation] : [])] });
    else {
      const data = await ensureVolume(root, m.source);
      if (!m.noCopy) await copyUp(rootfs, m.target, data);
      mounts.push({ destination: m.target, type: "bind", source: data, options: ["rbind", m.readonly ? "ro" : "rw"] });
    }
  }
  let argsPrefix: string[] = [];
  if (h.init) {
    const init = await initBinary();
    if (init === undefined) throw new StrataError("CONTAINER_INIT_MISSING", "--init needs docker-init or tini-static on the PATH: install Debian's tini package");
    mounts.push({ destination: INIT_PATH, type: "bind", source: init, options: ["bind", "ro"] });
    argsPrefix = [INIT_PATH, "--"];
  }
  const extraDevices = [];
  for (const d of h.devices ?? []) {
    const dev = await hostDevice(d.pathOnHost).catch(() => undefined);
    if (dev === undefined) throw new StrataError("CONTAINER_USAGE", `error gathering device information while adding custom device "${d.pathOnHost}": no such device`);
    extraDevices.push({ ...dev, path: d.pathInContainer, access: d.permissions });
  }
  const resources = {
    ...(h.memory !== undefined && h.memory > 0 && { memory: { limit: h.memory, ...(h.memorySwap !== undefined && { swap: h.memorySwap }) } }),
    ...(h.nanoCpus !== undefined && h.nanoCpus > 0 && { cpu: { quota: Math.round((h.nanoCpus * CPU_PERIOD) / 1e9), period: CPU_PERIOD } }),
    ...(h.pidsLimit !== undefined && h.pidsLimit > 0 && { pids: { limit: h.pidsLimit } }),
  };
  return {
    spec: {
      ...(privileged && { security: "insecure", insecureCaps: caps, devices: await hostDevices() }),
      capabilities: caps,
      seccomp,
      noNewPrivileges: h.noNewPrivileges,
      ...(Object.keys(resources).length > 0 && { resources }),
      ...(extraDevices.length > 0 && !privileged && { extraDevices }),
      ...(h.ulimits !== undefined && h.ulimits.length > 0 && { ulimits: h.ulimits }),
      readonlyRootfs: h.readonlyRootfs ?? false,
    },
    mounts,
    argsPrefix,
  };
}

/** Mounts in the order runc must make them: parents before what lies under them (docker's sortMounts: by path depth, stable). */
export function byDepth<M extends { readonly destination: string }>(mounts: readonly M[]): M[] {
  const depth = (m: M): number => m.destination.split("/").filter((p) => p !== "").length;
  return [...mounts].sort((a, b) => depth(a) - depth(b));
}
