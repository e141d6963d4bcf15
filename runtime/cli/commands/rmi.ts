import type { Command } from "commander";
import { collectGarbage } from "../../store/gc.ts";
import { familiarName, familiarRepo, fullName, parseName } from "../../store/names.ts";
import { listContainers } from "../../container/state.ts";
import { containerStatus, isRunning } from "../../container/status.ts";
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

/** The containers made from an image, running ones first (moby's conflict checks look at those first). */
async function imageUsers(store: Store, imageId: string): Promise<{ id: string; running: boolean }[]> {
  const out: { id: string; running: boolean }[] = [];
  for (const c of await listContainers(store)) {
    if (c.imageId === imageId) out.push({ id: c.id, running: isRunning(await containerStatus(store, c)) });
  }
  return out.sort((a, b) => Number(b.running) - Number(a.running));
}

function conflict(message: string): StrataError {
  return new StrataError("IMAGE_IN_USE", `conflict: ${message}`);
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
 * and the image deleted when no name is left and no container uses it (one
 * that is used stays, as `<none>`); without -f, the last name of an image a
 * container was made from is kept. An image id untags every name of the
 * image, and needs -f when it has several names or a stopped container uses
 * it; an image a running container uses is never deleted ("cannot be
 * forced"). The image is its id (config digest): the same image pulled
 * (compressed layers) and built (uncompressed) is two manifests, one image.
 * Deleting frees the blobs and layers nothing else (another image, the build
 * cache) needs.
 */
async function removeImage(store: Store, ref: string, force: boolean): Promise<string[]> {
  const img = await store.getImage(ref);
  const all = await store.refs.list();
  const configs = await Promise.all(all.map(async (e) => (await store.loadManifest(e.descriptor)).configDigest));
  const entries = all.filter((_, i) => configs[i] === img.configDigest);
  const named = entries.map((e) => e.name).filter((n): n is string => n !== undefined);
  const byName = nameIn(ref, named);
  const users = await imageUsers(store, img.configDigest);
  const id = img.configDigest.slice(7, 19);
  const running = users.find((u) => u.running);
  const stopped = users.find((u) => !u.running);
  const out: string[] = [];
  const untag = async (names: readonly string[]): Promise<void> => {
    for (const n of names) {
      await store.refs.untag(n);
      out.push(`Untagged: ${familiarName(parseName(n))}`);
    }
  };
  const remove = async (): Promise<void> => {
    for (const e of entries) if (e.name === undefined) await store.refs.dropUntagged(e.descriptor.digest);
    out.push(`Deleted: ${img.configDigest}`);
  };
  if (byName !== undefined) {
    const names = [byName, ...digestsLeftBehind(byName, named)];
    const lastName = named.every((n) => names.includes(n));
    if (!force && lastName && users[0] !== undefined) {
      throw conflict(`unable to remove repository reference "${ref}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${id}`);
    }
    await untag(names);
    if (!lastName) return out;
    // The image has no name left: a container that uses it keeps it, as <none> (docker deletes it quietly or not at all).
    if (running !== undefined || (!force && stopped !== undefined)) {
      await store.refs.keepUntagged(img.top);
      return out;
    }
    await remove();
    return out;
  }
  if (running !== undefined) throw conflict(`unable to delete ${id} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
  if (!force && new Set(named.map((n) => familiarRepo(parseName(n)))).size > 1) throw conflict(`unable to delete ${id} (must be forced) - image is referenced in multiple repositories`);
  if (!force && stopped !== undefined) throw conflict(`unable to delete ${id} (must be forced) - image is being used by stopped container ${stopped.id.slice(0, 12)}`);
  await untag(named);
  await remove();
  return out;
}

export function registerRmi(program: Command): void {
  const describe = (c: Command) =>
    c
      .description("Remove one or more images")
      .argument("<images...>")
      .option("-f, --force", "remove an image referenced by several names or used by a stopped container (never one a running container uses)")
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
