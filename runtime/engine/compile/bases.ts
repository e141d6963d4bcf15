/**
 * The base-image resolver: the one place both front ends get the images a
 * graph names (FROM or `from()`, COPY --from, RUN --mount from=). Lowering is
 * pure and names the images it could not resolve, with the instruction that
 * needs each; they are resolved here and lowering runs again.
 *
 * An image is looked up in the store first. One the store lacks is, by mode:
 * - `pull` (build): pulled, as `docker build` pulls a missing base;
 * - `inspect` (explain): only its manifest and config are fetched, nothing is
 *   stored and no layer is downloaded, and a note says so;
 * with `pull` (--pull) every image is asked of its registry, also one the store
 * has, as the build pulls it (explain then plans on the registry's image ID);
 * - `offline` (explain --offline): not looked for; it is unknown, and so are
 *   the cache keys of the layers above it.
 * An image that cannot be had is an IMG001 diagnostic at the instruction
 * that names it.
 */
import type { Diagnostic } from "../../../compiler/diagnostics/diagnostic.ts";
import type { BaseImage, LowerResult, MissingImage } from "../../../compiler/lower/dockerfile.ts";
import { imagePlatform, platformMatches } from "../../../compiler/lower/platform.ts";
import type { SourceFile } from "../../../compiler/source/source-file.ts";
import { descriptorPlatform, platformManifests } from "../../store/image-index.ts";
import type { ImageConfigJson } from "../../store/oci.ts";
import type { Store } from "../../store/store.ts";
import type { RegistryOptions } from "../../registry/options.ts";

export type BaseMode = "pull" | "inspect" | "offline";

/** What the engine knows of an image the graph names. */
export interface ResolvedImage {
  readonly ref: string;
  /** The image ID; "" when unknown. */
  readonly id: string;
  readonly config: ImageConfigJson | undefined;
  /** How many layers it has (overlayfs can stack only so many). */
  readonly layers: number;
  /** Where it was found: the store, a pull just now, the registry's metadata only, or nowhere (offline). */
  readonly origin: "local" | "pulled" | "remote" | "unknown";
}

export interface BaseResolverOptions {
  readonly store: Store;
  readonly mode: BaseMode;
  readonly registry: RegistryOptions;
  /** os/arch to pull or inspect bases for (default: this machine's). */
  readonly platform?: string | undefined;
  /** --pull (modes pull and inspect): ask the registry for every image, also one the store has; one it cannot give is an error. */
  readonly pull?: boolean | undefined;
}

export class BaseResolver {
  readonly #o: BaseResolverOptions;
  readonly #images = new Map<string, ResolvedImage>();
  readonly #notes: string[] = [];

  constructor(o: BaseResolverOptions) {
    this.#o = o;
  }

  /** What lowering is told of `ref` (undefined: not resolved yet). */
  baseImage(ref: string): BaseImage | undefined {
    const img = this.#images.get(ref);
    return img && { ref, digest: img.id, config: img.config?.config ?? {}, platform: img.config?.architecture ? imagePlatform(img.config) : undefined };
  }

  /** Notes for the user about images not in the store (explain prints them). */
  get notes(): readonly string[] {
    return this.#notes;
  }

  /** Whether every resolved image is in the store now (a compiled graph may then be kept). */
  get allLocal(): boolean {
    return [...this.#images.values()].every((i) => i.origin === "local" || i.origin === "pulled");
  }

  /** Image references → image IDs, of everything resolved. */
  get ids(): Record<string, string> {
    return Object.fromEntries([...this.#images].map(([ref, img]) => [ref, img.id]));
  }

  /** An image the graph names: resolved already, else looked up in the store. */
  async image(ref: string): Promise<ResolvedImage> {
    const known = this.#images.get(ref);
    if (known) return known;
    const local = await this.#local(ref);
    if (local === undefined) throw new Error(`internal: image ${ref} used but never resolved`);
    return local;
  }

  /**
   * Runs `lower` until every image it names is resolved, or the missing ones are
   * diagnostics. Usually twice; more when a resolved base brings ONBUILD triggers
   * that name images of their own (`ONBUILD COPY --from=img`), seen only once the
   * base's config is known. Each pass resolves at least one new image, so it ends.
   */
  async lower(lower: (resolve: (ref: string) => BaseImage | undefined) => LowerResult, source: SourceFile): Promise<LowerResult> {
    const resolve = (ref: string): BaseImage | undefined => this.baseImage(ref);
    const tried = new Set<string>();
    for (;;) {
      const result = lower(resolve);
      const missing = result.missingImages.filter((m) => !tried.has(m.ref));
      if (missing.length === 0) return result;
      const problems: Diagnostic[] = [];
      for (const m of missing) {
        tried.add(m.ref);
        const d = await this.#resolve(m, source);
        if (d) problems.push(d);
      }
      if (problems.length > 0) return { graph: undefined, diagnostics: [...result.diagnostics.filter((d) => d.severity !== "error"), ...problems], missingImages: [] };
    }
  }

  /**
   * `ref` in the store, for `platform` (the build's by default) when it names an image index;
   * `exact`: only an image of that platform (else the caller pulls it, and falls back on this).
   */
  async #local(ref: string, platform = this.#o.platform, exact = false): Promise<ResolvedImage | undefined> {
    if (ref === "scratch") return undefined;
    const img = await this.#o.store.findImage(ref, platform);
    if (!img) return undefined;
    if (exact && platform !== undefined && !platformMatches(platform, imagePlatform(img.config))) return undefined;
    const r: ResolvedImage = { ref, id: img.configDigest, config: img.config, layers: img.manifest.layers.length, origin: "local" };
    this.#images.set(ref, r);
    return r;
  }

  async #resolve(m: MissingImage, source: SourceFile): Promise<Diagnostic | undefined> {
    const { store, mode, registry, platform, pull } = this.#o;
    const always = pull === true && mode !== "offline" && m.ref !== "scratch";
    // With --platform, a stored image of another platform is pulled for the asked one (a base of a
    // multi-platform build: each platform's image joins the name's index); offline, or if that
    // fails, the stored one is what lowering checks (LW011 names the mismatch).
    const exact = platform !== undefined && mode !== "offline";
    if (!always && (await this.#local(m.ref, m.platform ?? platform, exact))) return undefined;
    if (mode === "offline") {
      this.#images.set(m.ref, { ref: m.ref, id: "", config: undefined, layers: 0, origin: "unknown" });
      this.#notes.push(`${m.ref}: not in the local store and not looked up (--offline); the layers built on it are unknown`);
      return undefined;
    }
    let failure: string | undefined;
    try {
      if (mode === "pull") {
        // The registry client is loaded only when something is pulled.
        const { pullImage } = await import("../../registry/pull.ts");
        const pulled = await pullImage({ store, ref: m.ref, insecure: registry.insecure, platform: m.platform ?? platform, ...(registry.log && { log: registry.log }) });
        const img = await store.findImage(pulled.name, m.platform ?? platform);
        if (img) {
          this.#images.set(m.ref, { ref: m.ref, id: img.configDigest, config: img.config, layers: img.manifest.layers.length, origin: "pulled" });
          return undefined;
        }
        failure = "the pulled image is not in the store";
      } else {
        const { inspectRemote } = await import("../../registry/inspect.ts");
        const r = await inspectRemote({ ref: m.ref, insecure: registry.insecure, platform: m.platform ?? platform, ...(registry.log && { log: registry.log }) });
        this.#images.set(m.ref, { ref: m.ref, id: r.configDigest, config: r.config, layers: r.layers, origin: "remote" });
        this.#notes.push(`${m.ref}: ${always ? "--pull: the build pulls it;" : "not in the local store;"} fetched only its manifest and config from ${r.registry} (image ID ${r.configDigest}), no layers`);
        return undefined;
      }
    } catch (e) {
      failure = (e as Error).message;
    }
    if (exact && !always && (await this.#local(m.ref, m.platform ?? platform))) return undefined;
    const other = exact ? await store.findImage(m.ref).catch(() => undefined) : undefined;
    const where = other?.index ? `has no ${m.platform ?? platform} image in the local store (it has ${platformManifests(other.index).map(descriptorPlatform).join(", ")})` : "is not in the local store";
    const elsewhere = m.at.file !== source.name;
    return {
      code: "IMG001",
      severity: "error",
      message: `${elsewhere ? `${m.at.file}:${m.at.line}:${m.at.column}: ` : ""}image "${m.ref}"${m.trigger ? ` (named by the base's ${m.trigger})` : ""} ${always ? `could not be ${mode === "pull" ? "pulled" : "inspected"} (--pull)` : `${where} and could not be ${mode === "pull" ? "pulled" : "inspected"}`}: ${failure}`,
      file: source.name,
      span: elsewhere ? { start: 0, end: 0 } : { start: m.at.start, end: m.at.end },
      hint: always ? "check that the registry is reachable, or build without --pull to use the store's copy" : `pull or import it first, e.g. strata pull ${exact ? `--platform ${m.platform ?? platform} ` : ""}${m.ref}`,
    };
  }
}
