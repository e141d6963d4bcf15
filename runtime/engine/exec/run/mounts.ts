import { join } from "node:path";
import type { Mount, RunOp } from "../../../../compiler/ir/graph.ts";
import { envLookup } from "../../../../compiler/ir/env.ts";
import { digestOf } from "../../../../compiler/cache/canonical.ts";
import type { ExtraMount } from "../../../runc/spec.ts";
import type { StepSources } from "../step-sources.ts";
import { bindDigest } from "../../context/hash.ts";
import { namedOrMain } from "../../context/named.ts";
import { contextSource, sourceIn, writableCopy } from "./bind-mount.ts";
import { acquireCache, type CacheSeed } from "./cache-mount.ts";
import { RunMountError } from "./errors.ts";
import type { Scratch } from "./scratch.ts";
import { secretMount, sshMount } from "./secret-mount.ts";

/** What a RUN's --mount flags give its container. */
export interface PreparedMounts {
  /** In the order runc mounts them: by depth of the target, so a mount inside another comes after it. */
  readonly mounts: ExtraMount[];
  /** Added to the command's environment (secret env, SSH_AUTH_SOCK). */
  readonly env: string[];
  /** Gives back cache leases, unmounts and removes temporary copies. Always call it, also after a failure. */
  release(): Promise<void>;
}

export interface MountInput {
  readonly op: RunOp;
  readonly sources: StepSources;
  readonly scratch: Scratch;
  /** A directory on disk outside the rootfs for temporary copies (writable binds). */
  readonly workDir: string;
}

const depth = (p: string): number => p.split("/").filter((s) => s !== "").length;

/**
 * The root a bind or cache mount's `from` names, with what names its content: a stage's or an
 * image's, the digest of its layers' diffIDs; a named context's, its view without what its
 * .dockerignore leaves out (`scratchDir`), named by the digest of what it binds.
 */
async function fromRoot(m: Mount, sources: StepSources, scratchDir: string): Promise<{ root: string; name: string; content: string } | undefined> {
  if (m.from === undefined) return undefined;
  if ("context" in m.from) {
    const context = namedOrMain(sources.context, sources.named, m.from.context);
    return { root: await contextSource(context, "/", scratchDir), name: `build context ${m.from.context}`, content: await bindDigest(context, ["."]) };
  }
  const content = digestOf(await sources.layersOf(m.from));
  if ("stage" in m.from) return { root: await sources.stageRoot(m.from.stage), name: `stage ${m.from.stage}`, content };
  return { root: await sources.imageRoot(m.from.image), name: `image ${m.from.image}`, content };
}

/**
 * Prepares every --mount of a RUN (see each kind's file for its rules):
 *
 * - bind: from the build context by default (what .dockerignore keeps), or
 *   from a named context (the same way), a stage or an image; read-only unless rw, and then the writes go to a
 *   throwaway copy;
 * - cache: a persistent directory under the store (cache-mount.ts);
 * - tmpfs: a new tmpfs, `size` bytes at most;
 * - secret, ssh: secret-mount.ts.
 *
 * Nothing a mount holds is in the rootfs, so nothing of it reaches the layer;
 * the mount points runc creates there are removed by MountStubs.
 */
export async function prepareMounts(o: MountInput): Promise<PreparedMounts> {
  const mounts: ExtraMount[] = [];
  const env: string[] = [];
  const releases: (() => Promise<void>)[] = [];
  const release = async (): Promise<void> => {
    for (const r of releases.reverse()) await r().catch(() => undefined);
  };
  let ssh = 0;
  let sshTarget: string | undefined;
  try {
    for (const [i, m] of o.op.mounts.entries()) {
      const where = `--mount=type=${m.type}${m.target ? `,target=${m.target}` : ""}`;
      try {
        if (m.type !== "secret" && m.type !== "ssh") {
          if (!m.target.startsWith("/")) throw new RunMountError("a target path is required");
          if (depth(m.target) === 0) throw new RunMountError("cannot mount over /");
        }
        switch (m.type) {
          case "bind": {
            const scratchDir = join(o.workDir, `mount-${i}`);
            const context = m.from !== undefined && "context" in m.from ? namedOrMain(o.sources.context, o.sources.named, m.from.context) : undefined;
            const from = context === undefined ? await fromRoot(m, o.sources, scratchDir) : undefined;
            let src = from === undefined ? await contextSource(context ?? o.sources.context, m.source, scratchDir) : await sourceIn(from.root, m.source, from.name);
            if (!m.readonly) {
              const copy = await writableCopy(src, join(scratchDir, "rw"));
              releases.push(copy.release);
              src = copy.path;
            }
            mounts.push({ destination: m.target, source: src, type: "bind", options: ["rbind", m.readonly ? "ro" : "rw"] });
            break;
          }
          case "cache": {
            const from = await fromRoot(m, o.sources, join(o.workDir, `mount-${i}`));
            let seed: CacheSeed | undefined;
            if (from !== undefined) seed = { root: from.root, path: await sourceIn(from.root, m.source, from.name), name: `${from.name}:${m.source ?? "/"}`, content: `${from.content}:${m.source ?? "/"}` };
            const lease = await acquireCache(o.sources.cacheMounts, m, seed);
            releases.push(lease.release);
            mounts.push({ destination: m.target, source: lease.dir, type: "bind", options: ["rbind", m.readonly ? "ro" : "rw"] });
            break;
          }
          case "tmpfs":
            mounts.push({ destination: m.target, source: "tmpfs", type: "tmpfs", options: ["nosuid", ...(m.size !== undefined && m.size > 0 ? [`size=${m.size}`] : [])] });
            break;
          case "secret": {
            const s = await secretMount(m, o.sources.secrets, o.scratch, i);
            mounts.push(...s.mounts);
            env.push(...s.env);
            break;
          }
          case "ssh": {
            const s = await sshMount(m, ssh++, o.sources.ssh);
            sshTarget ??= s.target;
            mounts.push(...s.mounts);
            break;
          }
        }
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new RunMountError(`${where}: ${msg}`);
      }
    }
  } catch (e) {
    await release();
    throw e;
  }
  // BuildKit's exec op points SSH_AUTH_SOCK at the first ssh mount unless the env sets it.
  if (sshTarget !== undefined && envLookup([...o.op.env], "SSH_AUTH_SOCK") === undefined) env.push(`SSH_AUTH_SOCK=${sshTarget}`);
  const sorted = mounts.map((m, k) => ({ m, k })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.k - b.k).map((x) => x.m);
  return { mounts: sorted, env, release };
}
