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
  get log(): string {
    return join(this.dir, "container.log");
  }
  get runcLog(): string {
    return join(this.dir, "runc.log");
  }
  get exit(): string {
    return join(this.dir, "exit");
  }
  /** "<pid>.<start time>" of the process that owns the running container (fs/owner.ts): rm waits for it to finish. */
  get monitor(): string {
    return join(this.dir, "monitor");
  }
  get stdin(): string {
    return join(this.dir, "stdin");
  }
}

export function containersDir(root: string): string {
  return join(root, "containers");
}
