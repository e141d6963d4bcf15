import { join } from "node:path";

/**
 * Where a container's state lives: `<root>/containers/<id>/` (the layout is described in
 * container/state.ts). Here in store/ so that what measures a container's overlay mount before
 * one exists (the build plan's layer-depth check) names the same paths as the container does.
 */
export class ContainerPaths {
  readonly dir: string;
  constructor(root: string, id: string) {
    this.dir = join(containersDir(root), id);
  }
  /** The paths of any container of this store as long as they get (ids are 64 hex): what its overlay mount's options are measured on. */
  static longest(root: string): ContainerPaths {
    return new ContainerPaths(root, "0".repeat(64));
  }
  get config(): string {
    return join(this.dir, "config.json");
  }
  get imageConfig(): string {
    return join(this.dir, "image.json");
  }
  get init(): string {
    return join(this.dir, "init");
  }
  get upper(): string {
    return join(this.dir, "upper");
  }
  get work(): string {
    return join(this.dir, "work");
  }
  /** What its overlay mount puts in the options besides the image's layers: the upper and work dirs, and the init layer as the topmost lower dir. */
  get mountPaths(): { upper: string; work: string; extraLowers: string[] } {
    return { upper: this.upper, work: this.work, extraLowers: [this.init] };
  }
  get merged(): string {
    return join(this.dir, "merged");
  }
  get bundle(): string {
    return join(this.dir, "bundle");
  }
  /** The log of containers started before the monitor kept streams apart: raw stdout and stderr together. */
  get log(): string {
    return join(this.dir, "container.log");
  }
  /** The process's output, one JSON entry per line (container/log-file.ts); rotated to json.log.1, json.log.2. */
  get jsonLog(): string {
    return join(this.dir, "json.log");
  }
  /** The monitor's record of the container's life (container/monitor/state-file.ts). */
  get monitorState(): string {
    return join(this.dir, "state.json");
  }
  /** The monitor's own errors (never the container's output). */
  get monitorLog(): string {
    return join(this.dir, "monitor.log");
  }
  /** The monitor's sockets while it runs: attach (stdin/stdout/stderr) and control (stop, resize). */
  get attachSocket(): string {
    return join(this.dir, "attach.sock");
  }
  get controlSocket(): string {
    return join(this.dir, "control.sock");
  }
  /** The container process's host pid, written by runc once it runs (`runc run --pid-file`). */
  get pidFile(): string {
    return join(this.dir, "pid");
  }
  get runcLog(): string {
    return join(this.dir, "runc.log");
  }
  get exit(): string {
    return join(this.dir, "exit");
  }
}

export function containersDir(root: string): string {
  return join(root, "containers");
}
