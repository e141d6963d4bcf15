import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { envLookup } from "../../compiler/ir/env.ts";
import { runContainer } from "../runc/runc.ts";
import { runtimeSpec } from "../runc/spec.ts";
import { resolveUser } from "../runc/user.ts";
import { mount, unmount } from "../snapshot/mount.ts";
import { OverlaySnapshotter } from "../snapshot/overlay.ts";
import type { Store } from "../store/store.ts";

export interface RunImageOptions {
  readonly store: Store;
  readonly image: string;
  readonly command: readonly string[];
  readonly env?: readonly string[];
  readonly workdir?: string | undefined;
  readonly user?: string | undefined;
  readonly entrypoint?: string | undefined;
}

/** docker's rule: Entrypoint + (command line args or Cmd); --entrypoint replaces Entrypoint and drops Cmd. */
export function containerArgs(cfg: { Entrypoint?: string[] | null | undefined; Cmd?: string[] | null | undefined }, command: readonly string[], entrypoint?: string): string[] {
  const ep = entrypoint !== undefined ? (entrypoint === "" ? [] : [entrypoint]) : (cfg.Entrypoint ?? []);
  const cmd = command.length > 0 ? [...command] : entrypoint !== undefined ? [] : (cfg.Cmd ?? []);
  return [...ep, ...cmd];
}

/**
 * `strata run --rm`: runs an image in the foreground on a throwaway overlay
 * snapshot and returns the container's exit code.
 */
export async function runImageOnce(o: RunImageOptions): Promise<number> {
  const img = await o.store.getImage(o.image);
  const cfg = img.config.config;
  const args = containerArgs(cfg, o.command, o.entrypoint);
  if (args.length === 0) throw new Error(`no command specified: the image ${o.image} has no CMD or ENTRYPOINT; give one after the image name`);
  const snapshots = new OverlaySnapshotter(o.store.layout, o.store.content);
  const diffIds = img.config.rootfs.diff_ids;
  for (const [k, layer] of img.manifest.layers.entries()) await snapshots.ensureLayer(diffIds[k] as string, layer.digest);
  const snap = await snapshots.prepare(diffIds);
  let mounted = false;
  try {
    await mount(snap.mount, snap.merged);
    mounted = true;
    const user = await resolveUser(snap.merged, o.user ?? cfg.User ?? "");
    let env = [...(cfg.Env ?? [])];
    for (const e of o.env ?? []) env = [...env.filter((x) => !x.startsWith(`${e.split("=")[0]}=`)), e];
    if (envLookup(env, "PATH") === undefined) env.push("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    if (envLookup(env, "HOME") === undefined) env.push(`HOME=${user.home}`);
    const id = randomBytes(6).toString("hex");
    env.push(`HOSTNAME=${id}`);
    const spec = runtimeSpec({
      rootfs: snap.merged,
      args,
      env,
      cwd: o.workdir ?? (cfg.WorkingDir || "/"),
      user,
      hostname: id,
      network: "host",
      mounts: [
        { destination: "/etc/resolv.conf", source: "/etc/resolv.conf", type: "bind", options: ["rbind", "ro"] },
        { destination: "/etc/hosts", source: "/etc/hosts", type: "bind", options: ["rbind", "ro"] },
      ],
    });
    return await runContainer({ runcRoot: o.store.layout.runc, id: `strata-${snap.id}`, bundle: join(snap.dir, "bundle"), spec, stdin: "inherit" });
  } finally {
    if (mounted) await unmount(snap.merged);
    await snapshots.discard(snap);
  }
}
