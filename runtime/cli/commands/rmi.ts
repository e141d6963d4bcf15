import type { Command } from "commander";
import { collectGarbage } from "../../store/gc.ts";
import { fullName, parseName } from "../../store/names.ts";
import { IMAGE_NAME } from "../../store/oci.ts";
import type { Store } from "../../store/store.ts";
import { openStore } from "../context.ts";
import { StrataError } from "../../errors/error.ts";
import { reportError } from "../report-error.ts";
import { humanSize } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { containerUse } from "../in-use.ts";

/**
 * docker's rules: a name is untagged; the image is deleted when no name is
 * left. An image id with several names needs -f. Deleting frees the blobs
 * and layers nothing else (another image, the build cache) needs.
 */
async function removeImage(store: Store, ref: string, force: boolean): Promise<string[]> {
  const img = await store.getImage(ref);
  const entries = (await store.refs.list()).filter((e) => e.descriptor.digest === img.manifestDigest);
  const byName = /^(sha256:)?[a-f0-9]{6,64}$/.test(ref) ? undefined : fullName(parseName(ref));
  const out: string[] = [];
  const names = byName ? [byName] : entries.map((e) => e.name).filter((n): n is string => n !== undefined);
  const users = (await containerUse(store)).images.get(img.configDigest);
  const lastName = entries.length <= 1 || !byName;
  if (users && lastName && !force) {
    throw new StrataError("IMAGE_IN_USE", `conflict: unable to remove ${ref} (must be forced) - container ${users.join(", ")} is using its image ${img.configDigest.slice(7, 19)}`);
  }
  if (!byName && names.length > 1 && !force) {
    throw new StrataError("IMAGE_IN_USE", `conflict: unable to delete ${img.configDigest.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
  }
  for (const n of names) {
    await store.refs.untag(n);
    const e = entries.find((x) => x.descriptor.annotations?.[IMAGE_NAME] === n);
    out.push(`Untagged: ${e?.descriptor.annotations?.["org.opencontainers.image.ref.name"] ?? n}`);
  }
  const left = (await store.refs.list()).some((e) => e.descriptor.digest === img.manifestDigest);
  if (!left) out.push(`Deleted: ${img.configDigest}`);
  return out;
}

export function registerRmi(program: Command): void {
  const describe = (c: Command) =>
    c
      .description("Remove one or more images")
      .argument("<images...>")
      .option("-f, --force", "remove an image referenced by several names")
      .action(async (images: string[], opts: { force?: boolean }, cmd: Command) => {
        const store = await openStore(cmd);
        let deleted = false;
        for (const ref of images) {
          try {
            const lines = await removeImage(store, ref, opts.force ?? false);
            deleted ||= lines.some((l) => l.startsWith("Deleted"));
            process.stdout.write(`${lines.join("\n")}\n`);
          } catch (e) {
            reportError(e);
          }
        }
        if (deleted) {
          const r = await collectGarbage(store, { buildCache: false, cacheMounts: false, inUse: (await containerUse(store)).layers }).catch(() => undefined);
          if (r && r.bytes > 0 && process.env.STRATA_DEBUG) process.stderr.write(`freed ${humanSize(r.bytes)}\n`);
        }
      });
  describe(program.command("rmi"));
  describe(imageGroup(program).command("rm").alias("remove"));
}
