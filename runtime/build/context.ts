import { lstat, readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import dockerignoreModule from "@balena/dockerignore";
import picomatch from "picomatch";

/**
 * The build context: the directory COPY and ADD read from, with
 * .dockerignore (or <Dockerfile>.dockerignore) applied as docker applies it.
 */
// CommonJS module typed as an ES default export: its `default` is the factory itself.
const dockerignore = dockerignoreModule.default;

export interface ContextEntry {
  /** Path relative to the context root, with forward slashes. */
  readonly rel: string;
  readonly abs: string;
  readonly type: "file" | "dir" | "symlink";
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly linkTarget?: string;
}

export class ContextError extends Error {
  readonly code = "CONTEXT_SOURCE";
}

export class BuildContext {
  readonly root: string;
  readonly #ignored: (rel: string) => boolean;
  #entries: Map<string, ContextEntry> | undefined;

  private constructor(root: string, ignored: (rel: string) => boolean) {
    this.root = root;
    this.#ignored = ignored;
  }

  static async open(root: string, dockerfilePath?: string): Promise<BuildContext> {
    const candidates = [dockerfilePath ? `${dockerfilePath}.dockerignore` : undefined, join(root, ".dockerignore")].filter((p): p is string => p !== undefined);
    let patterns: string[] = [];
    for (const p of candidates) {
      try {
        patterns = (await readFile(p, "utf8")).split(/\r?\n/);
        break;
      } catch {
        // try the next
      }
    }
    const ig = dockerignore({ ignorecase: false }).add(patterns.filter((l) => l.trim() !== "" && !l.startsWith("#")));
    return new BuildContext(root, (rel) => rel !== "" && ig.ignores(rel));
  }

  /** Every file, directory and link of the context that .dockerignore keeps, by relative path. */
  async entries(): Promise<Map<string, ContextEntry>> {
    if (this.#entries) return this.#entries;
    const out = new Map<string, ContextEntry>();
    const walk = async (rel: string): Promise<void> => {
      const dir = rel === "" ? this.root : join(this.root, rel);
      const names = await readdir(dir);
      names.sort();
      await Promise.all(
        names.map(async (name) => {
          const childRel = rel === "" ? name : `${rel}/${name}`;
          const abs = join(this.root, childRel);
          const st = await lstat(abs);
          const type = st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : undefined;
          if (type === undefined) return;
          const ignored = this.#ignored(childRel);
          if (!ignored) out.set(childRel, { rel: childRel, abs, type, mode: st.mode & 0o7777, size: type === "file" ? st.size : 0, mtimeMs: st.mtimeMs, ino: st.ino });
          // A directory may be ignored while an exception (!pattern) keeps something inside it.
          if (type === "dir") await walk(childRel);
          if (type === "symlink" && !ignored) {
            const { readlink } = await import("node:fs/promises");
            out.set(childRel, { ...(out.get(childRel) as ContextEntry), linkTarget: await readlink(abs) });
          }
        }),
      );
    };
    await walk("");
    this.#entries = out;
    return out;
  }

  /**
   * The entries a COPY source selects, each with the path it gets under the
   * destination. A directory source contributes its contents; a file its
   * base name. Wildcards match like Go's filepath.Match (`*` stays within one
   * path segment).
   */
  async select(source: string): Promise<{ matched: ContextEntry[]; items: { entry: ContextEntry; destRel: string }[] }> {
    const entries = await this.entries();
    const clean = posix.normalize(`/${source}`).slice(1).replace(/\/$/, "");
    let roots: ContextEntry[];
    if (/[*?[]/.test(clean)) {
      const isMatch = picomatch(clean, { dot: true, nobrace: true, noextglob: true });
      roots = [...entries.values()].filter((e) => isMatch(e.rel));
    } else if (clean === "") {
      roots = [{ rel: "", abs: this.root, type: "dir", mode: 0o755, size: 0, mtimeMs: 0, ino: 0 }];
    } else {
      const e = entries.get(clean);
      roots = e ? [e] : [];
    }
    if (roots.length === 0) throw new ContextError(`"${source}": not found in the build context or excluded by .dockerignore`);
    const items: { entry: ContextEntry; destRel: string }[] = [];
    const sorted = [...entries.values()];
    for (const r of roots) {
      if (r.type !== "dir") {
        items.push({ entry: r, destRel: posix.basename(r.rel) });
        continue;
      }
      const prefix = r.rel === "" ? "" : `${r.rel}/`;
      for (const e of sorted) if (e.rel.startsWith(prefix) && e.rel !== r.rel) items.push({ entry: e, destRel: e.rel.slice(prefix.length) });
    }
    items.sort((a, b) => (a.destRel < b.destRel ? -1 : a.destRel > b.destRel ? 1 : 0));
    return { matched: roots, items };
  }
}
