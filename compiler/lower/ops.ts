import type { AddInstruction, CopyInstruction, RunInstruction } from "../dockerfile/ast.ts";
import type { CopyOp, RunOp, SourceRef } from "../ir/graph.ts";
import { parseChmod } from "../ir/config-values.ts";
import { canonicalImageRef } from "../ir/image-ref.ts";
import { checksumProblem } from "../ir/remote-source.ts";
import type { ContainerConfig } from "../ir/image-config.ts";
import { commandArgv, normalize } from "./config.ts";
import { lowerMount } from "./mounts.ts";
import type { Expander, Scope } from "./scope.ts";

/** Stage names seen so far, for `--from` lookups. */
export interface StageNames {
  readonly names: readonly string[];
  readonly index: number;
}

/**
 * `--build-context NAME=…` as lowering sees it (keys lower-case): an image (`docker-image://REF`,
 * or an OCI layout the runtime has stored under REF) or a local directory, read by COPY --from=NAME.
 */
export type NamedContexts = Readonly<Record<string, { readonly type: "image"; readonly ref: string } | { readonly type: "local" }>>;

/**
 * Resolves a `--from` name: a named build context first (as BuildKit, it overrides a stage or
 * image of that name), an earlier stage by name or index, else an image reference (in its
 * canonical spelling, ir/image-ref.ts).
 */
export function fromRef(name: string, drafts: readonly StageNames[], named: NamedContexts = {}): { stage: number } | { image: string } | { context: string } {
  const c = named[name.toLowerCase()];
  if (c !== undefined) return c.type === "image" ? { image: canonicalImageRef(c.ref) } : { context: name.toLowerCase() };
  const byName = drafts.find((d) => d.names.includes(name.toLowerCase()));
  if (byName) return { stage: byName.index };
  if (/^\d+$/.test(name) && Number(name) < drafts.length) return { stage: Number(name) };
  return { image: canonicalImageRef(name) };
}

/**
 * The op of the step that stands for `FROM NAME` of a named local context: the whole directory
 * copied to / of a scratch stage (what .dockerignore keeps, owned by root as the context is sent),
 * so its files key it as a COPY's do.
 */
export function contextRootOp(name: string): CopyOp {
  return { kind: "copy", add: false, from: { type: "context", name }, sources: ["."], inline: [], dest: "/", cwd: "/", link: false, parents: false, exclude: [] };
}

export function lowerRun(instr: RunInstruction, config: ContainerConfig, scope: Scope, source: SourceRef, ex: Expander, drafts: readonly StageNames[], named: NamedContexts = {}): RunOp {
  const argv = commandArgv(instr.command, config.Shell);
  // Declared ARGs join the environment of the RUN (not the image's Env).
  const env = [...(config.Env ?? []), ...scope.argEnv()];
  const cwd = config.WorkingDir || "/";
  const mounts = instr.mounts.flatMap((m) => lowerMount(m, cwd, scope, ex, (name) => fromRef(name, drafts, named)) ?? []);
  return {
    kind: "run",
    command: { args: argv, heredocs: instr.heredocs.map((h) => ({ name: h.name, content: h.content, ...(h.fd !== undefined && { fd: h.fd }) })), source },
    env,
    cwd,
    user: config.User || "",
    network: instr.network ?? "default",
    security: instr.security ?? "sandbox",
    mounts,
  };
}

/**
 * COPY/ADD's destination as BuildKit's dispatchCopy makes it: joined to the working directory and
 * cleaned lexically (`/symlink/..` is `/`, whatever `/symlink` points to: the `..` is applied before
 * any symlink is followed), with a trailing `/` when the written one ends in `/` or is `.`.
 */
export function copyDest(cwd: string, dest: string): string {
  const clean = normalize(dest.startsWith("/") ? dest : `${cwd}/${dest}`);
  return clean.endsWith("/") || !(dest.endsWith("/") || dest === ".") ? clean : `${clean}/`;
}

export function lowerCopy(instr: CopyInstruction | AddInstruction, config: ContainerConfig, scope: Scope, ex: Expander, drafts: readonly StageNames[], named: NamedContexts = {}): CopyOp {
  const sources = instr.sources.map((w) => ex.word(w, scope));
  const dest = ex.word(instr.dest, scope);
  let from: CopyOp["from"] = { type: "context" };
  if (instr.kind === "COPY" && instr.from !== undefined) {
    const f = ex.word(instr.from, scope);
    const r = fromRef(f, drafts, named);
    if ("stage" in r) from = { type: "stage", stage: r.stage };
    else if ("context" in r) from = { type: "context", name: r.context };
    else if (/^\d+$/.test(f)) ex.error("LW005", instr.from, `COPY --from=${f}: there is no stage ${f} before this one`);
    else from = { type: "image", ref: r.image };
  }
  // BuildKit reads an empty source as the root (path.Join("/", "")): `COPY $unset /dst` copies everything. Kept, but said.
  instr.sources.forEach((w, i) => {
    if (sources[i] !== "" || w.text === "") return;
    const what = from.type === "context" ? `the whole build context${from.name === undefined ? "" : ` ${from.name}`}` : from.type === "stage" ? "the whole stage" : "the whole image";
    ex.warn("LW010", w, `${instr.kind} source ${w.text} expands to the empty string: ${what} is copied to ${dest}, as BuildKit does`, "define the variable (ARG name=value or --build-arg), or write . to copy everything on purpose");
  });
  const chmod = instr.chmod === undefined ? undefined : ex.word(instr.chmod, scope);
  const mode = chmod === undefined ? undefined : parseChmod(chmod);
  if (mode !== undefined && !mode.ok && instr.chmod !== undefined) ex.error("DF021", instr.chmod, mode.message, "use an octal mode such as 0755 or a symbolic mode such as u+x");
  const checksum = instr.kind === "ADD" && instr.checksum !== undefined ? ex.word(instr.checksum, scope) : undefined;
  const bad = checksum === undefined || instr.kind !== "ADD" ? undefined : checksumProblem(checksum, sources);
  if (bad !== undefined && instr.kind === "ADD" && instr.checksum !== undefined) ex.error("DF021", instr.checksum, bad.message, bad.hint);
  const cwd = config.WorkingDir || "/";
  return {
    kind: "copy",
    add: instr.kind === "ADD",
    from,
    sources,
    inline: instr.heredocs.map((h) => ({ name: h.name, content: h.expand ? ex.raw({ text: h.content, span: h.span }, scope) : h.content })),
    dest: copyDest(cwd, dest),
    cwd,
    ...(instr.chown !== undefined && { chown: ex.word(instr.chown, scope) }),
    ...(chmod !== undefined && { chmod }),
    link: instr.link,
    parents: instr.kind === "COPY" ? instr.parents : false,
    exclude: instr.exclude.map((w) => ex.word(w, scope)),
    ...(checksum !== undefined && { checksum }),
    ...(instr.kind === "ADD" && { keepGitDir: instr.keepGitDir }),
    ...(instr.kind === "ADD" && instr.unpack !== undefined && { unpack: instr.unpack }),
  };
}
