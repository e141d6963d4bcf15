import { chmod, chown, lstat, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { secureJoin } from "../../../fs/secure-join.ts";

/**
 * Creates the RUN's working directory when the rootfs lacks it, as BuildKit's
 * runc executor does before it starts the process: every missing component
 * mode 0755, owned by root (the container's root identity), made in the
 * merged view so it becomes part of the layer. Symlinks on the way resolve
 * inside the rootfs. (BuildKit's WORKDIR instruction itself makes the
 * directory owned by the USER of that moment; Strata's lowering keeps WORKDIR
 * config-only, so a RUN is where it gets created.)
 */
export async function ensureWorkdir(rootfs: string, cwd: string): Promise<void> {
  const target = await secureJoin(rootfs, cwd);
  const missing: string[] = [];
  for (let p = target; p !== rootfs && p.startsWith(`${rootfs}/`); p = dirname(p)) {
    const st = await lstat(p).catch(() => undefined);
    if (st !== undefined) break;
    missing.unshift(p);
  }
  if (missing.length === 0) return;
  await mkdir(target, { recursive: true, mode: 0o755 });
  for (const p of missing) {
    await chmod(p, 0o755);
    await chown(p, 0, 0);
  }
}
