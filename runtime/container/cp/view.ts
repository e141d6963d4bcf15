/**
 * A container's file system as its processes see it, reached from the host: the rootfs
 * (merged/) with the container's bind mounts over it. Paths are resolved as a chroot into the
 * container would resolve them (fs/secure-join.ts's rule, across the mounts): every component
 * is looked at with lstat where it lives (the rootfs, or the source of the bind it is under), a
 * symlink is followed by hand, an absolute target restarting at the container's root and `..`
 * stopping there. So a link to `/etc` names the container's /etc and one to `../../..` its
 * root: nothing resolves outside the rootfs and the binds.
 *
 * The mounts are those of the container's runc bundle (its last start: -v binds, /etc/hosts …),
 * else, for a container never started, its -v binds. A kernel file system (proc, tmpfs, …) has
 * no host path: what is under its mount point is the rootfs's, and nothing is written there.
 */
import { join, posix } from "node:path";
import { resolveInRoot } from "../../fs/secure-join.ts";
import { loadBundleSpec } from "../bundle-spec.ts";
import type { ContainerRecord } from "../state.ts";
import { CopyPathError } from "./rules.ts";

/** A mount of the container: a bind has the host path it shows. */
interface ViewMount {
  readonly destination: string;
  readonly source: string | undefined;
  readonly type: string;
  readonly readonly: boolean;
}

export class ContainerView {
  readonly rootfs: string;
  readonly name: string;
  readonly #mounts: readonly ViewMount[];
  readonly #rootReadonly: boolean;

  constructor(rootfs: string, name: string, mounts: readonly ViewMount[], rootReadonly: boolean) {
    this.rootfs = rootfs;
    this.name = name;
    // Deepest first: the mount a path is under is the first whose destination contains it.
    this.#mounts = [...mounts].sort((a, b) => b.destination.length - a.destination.length);
    this.#rootReadonly = rootReadonly;
  }

  #mountOf(p: string): ViewMount | undefined {
    return this.#mounts.find((m) => p === m.destination || p.startsWith(m.destination === "/" ? "/" : `${m.destination}/`));
  }

  /** The host path of a resolved container path (absolute, no `.` or `..`). */
  host(p: string): string {
    const m = this.#mountOf(p);
    if (m?.source === undefined) return p === "/" ? this.rootfs : join(this.rootfs, p);
    return p === m.destination ? m.source : join(m.source, p.slice(m.destination.length));
  }

  /**
   * `path` (absolute, in the container) with every symlink on it followed inside the container;
   * the last component's only with `followLast`. Missing components are kept as they are.
   */
  resolve(path: string, followLast: boolean): Promise<string> {
    return resolveInRoot(path, (p) => this.host(p), { followLast, subject: `container ${this.name}` });
  }

  /** Refuses to replace what the container has mounted at the resolved path `p` (/etc/hosts): the copy would land beneath it. */
  checkNotMounted(p: string): void {
    const at = this.#mounts.find((m) => m.destination === p);
    if (at !== undefined) throw new CopyPathError(`cannot copy to ${this.name}:${p}: it is a ${at.type} mount of the container`);
  }

  /** Refuses a write at the resolved path `p` where the container cannot be written (docker's words). */
  checkWritable(p: string): void {
    const m = this.#mountOf(p);
    if (m === undefined) {
      if (this.#rootReadonly) throw new CopyPathError(`container rootfs is marked read-only: cannot copy to ${this.name}:${p}`);
      return;
    }
    if (m.source === undefined) throw new CopyPathError(`cannot copy to ${this.name}:${p}: ${m.destination} is a ${m.type} mount of the container`);
    if (m.readonly) throw new CopyPathError(`mounted volume is marked read-only: cannot copy to ${this.name}:${p}`);
  }
}

/** The view of a container whose rootfs is mounted at `rootfs`. */
export async function containerView(root: string, rec: ContainerRecord, rootfs: string): Promise<ContainerView> {
  const spec = await loadBundleSpec(root, rec.id);
  const mounts: ViewMount[] =
    spec === undefined
      ? rec.binds.map((b) => ({ destination: b.destination, source: b.source, type: "bind", readonly: b.readonly }))
      : (spec.mounts ?? []).map((m) => {
          const options = m.options ?? [];
          const bind = m.type === "bind" || options.includes("bind") || options.includes("rbind");
          return { destination: posix.normalize(m.destination), source: bind ? m.source : undefined, type: m.type ?? "bind", readonly: options.includes("ro") };
        });
  return new ContainerView(rootfs, rec.name, mounts, spec?.root?.readonly === true);
}
