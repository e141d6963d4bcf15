import type { Command } from "commander";
import { collectGarbage } from "../../store/gc.ts";
import { familiarName, familiarRepo, fullName, parseName } from "../../store/names.ts";
import type { Store } from "../../store/store.ts";
import { openStore } from "../context.ts";
import { StrataError } from "../../errors/error.ts";
import { reportError } from "../report-error.ts";
import { humanSize } from "../format.ts";
import { imageGroup } from "../image-group.ts";
import { containerUse } from "../in-use.ts";

/** The full name `ref` is, if it names this image (a reference that is a name is untagged, not the image deleted). */
function nameIn(ref: string, names: readonly string[]): string | undefined {
  try {
    const full = fullName(parseName(ref));
    return names.includes(full) ? full : undefined;
  } catch {
    return undefined;
  }
}

/**
 * moby's image_delete.go: untagging the last tag of a repository also removes that
 * repository's digests (`busybox@sha256:…`), so the image is not left behind by a digest alone.
 */
function digestsLeftBehind(tagged: string, named: readonly string[]): string[] {
  const n = parseName(tagged);
  if (n.digest !== undefined) return [];
  const repo = familiarRepo(n);
  const sameRepo = named.filter((x) => x !== tagged && familiarRepo(parseName(x)) === repo);
  return sameRepo.some((x) => parseName(x).digest === undefined) ? [] : sameRepo;
}

/**
 * docker's rules (moby daemon/images/image_delete.go): a name is untagged,
 * and the image deleted when no name is left; an image id untags every name
 * of the image, and needs -f when they are in several repositories. The
 * image is its id (config digest): the same image pulled (compressed layers)
 * and built (uncompressed) is two manifests, one image. Deleting frees the
 * blobs and layers nothing else (another image, the build cache) needs.
 */
async function removeImage(store: Store, ref: string, force: boolean): Promise<string[]> {
  const img = await store.getImage(ref);
  const all = await store.refs.list();
  const configs = await Promise.all(all.map(async (e) => (await store.loadManifest(e.descriptor)).configDigest));
  const entries = all.filter((_, i) => configs[i] === img.configDigest);
  const named = entries.map((e) => e.name).filter((n): n is string => n !== undefined);
  const byName = nameIn(ref, named);
  const names = byName ? [byName, ...digestsLeftBehind(byName, named)] : named;
  const users = (await containerUse(store)).images.get(img.configDigest);
  const lastName = named.every((n) => names.includes(n));
  if (users && lastName && !force) {
    throw new StrataError("IMAGE_IN_USE", `conflict: unable to remove ${ref} (must be forced) - container ${users.join(", ")} is using its image ${img.configDigest.slice(7, 19)}`);
  }
  if (!byName && new Set(named.map((n) => familiarRepo(parseName(n)))).size > 1 && !force) {
    throw new StrataError("IMAGE_IN_USE", `conflict: unable to delete ${img.configDigest.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
  }
  const out: string[] = [];
  for (const n of names) {
    await store.refs.untag(n);
    out.push(`Untagged: ${familiarName(parseName(n))}`);
  }
  if (lastName) {
    for (const e of entries) if (e.name === undefined) await store.refs.dropUntagged(e.descriptor.digest);
    out.push(`Deleted: ${img.configDigest}`);
  }
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
