import type { AddInstruction, CopyInstruction, RunInstruction } from "../dockerfile/ast.ts";
import type { CopyOp, Mount, RunOp, SourceRef } from "../ir/graph.ts";
import { canonicalImageRef } from "../ir/image-ref.ts";
import type { ContainerConfig } from "../ir/image-config.ts";
import { commandArgv, normalize } from "./config.ts";
import type { Expander, Scope } from "./scope.ts";

/** Stage names seen so far, for `--from` lookups. */
export interface StageNames {
  readonly names: readonly string[];
  readonly index: number;
}

/** Resolves a `--from` name: an earlier stage by name or index, else an image reference (in its canonical spelling, ir/image-ref.ts). */
export function fromRef(name: string, drafts: readonly StageNames[]): { stage: number } | { image: string } {
  const byName = drafts.find((d) => d.names.includes(name.toLowerCase()));
  if (byName) return { stage: byName.index };
  if (/^\d+$/.test(name) && Number(name) < drafts.length) return { stage: Number(name) };
  return { image: canonicalImageRef(name) };
}

export function lowerRun(instr: RunInstruction, config: ContainerConfig, scope: Scope, source: SourceRef, ex: Expander, drafts: readonly StageNames[]): RunOp {
  const argv = commandArgv(instr.command, config.Shell);
  // Declared ARGs join the environment of the RUN (not the image's Env).
  const env = [...(config.Env ?? []), ...scope.argEnv()];
  const cwd = config.WorkingDir || "/";
  const mounts: Mount[] = instr.mounts.map((m) => {
    const target = m.target === undefined ? "" : ex.word({ text: m.target, span: m.span }, scope);
    return {
      type: m.type,
      target: target === "" || target.startsWith("/") ? target : normalize(`${cwd}/${target}`),
      readonly: m.readonly,
      ...(m.from !== undefined && { from: fromRef(ex.word({ text: m.from, span: m.span }, scope), drafts) }),
      ...(m.source !== undefined && { source: ex.word({ text: m.source, span: m.span }, scope) }),
      ...(m.id !== undefined && { id: ex.word({ text: m.id, span: m.span }, scope) }),
      ...(m.sharing !== undefined && { sharing: m.sharing }),
      ...(m.mode !== undefined && { mode: m.mode }),
      ...(m.uid !== undefined && { uid: m.uid }),
      ...(m.gid !== undefined && { gid: m.gid }),
      ...(m.required !== undefined && { required: m.required }),
      ...(m.env !== undefined && { env: m.env }),
      ...(m.size !== undefined && { size: m.size }),
    };
  });
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

export function lowerCopy(instr: CopyInstruction | AddInstruction, config: ContainerConfig, scope: Scope, ex: Expander, drafts: readonly StageNames[]): CopyOp {
  const sources = instr.sources.map((w) => ex.word(w, scope));
  const dest = ex.word(instr.dest, scope);
  let from: CopyOp["from"] = { type: "context" };
  if (instr.kind === "COPY" && instr.from !== undefined) {
    const f = ex.word(instr.from, scope);
    const r = fromRef(f, drafts);
    if ("stage" in r) from = { type: "stage", stage: r.stage };
    else if (/^\d+$/.test(f)) ex.error("LW005", instr.from, `COPY --from=${f}: there is no stage ${f} before this one`);
    else from = { type: "image", ref: r.image };
  }
  const cwd = config.WorkingDir || "/";
  return {
    kind: "copy",
    add: instr.kind === "ADD",
    from,
    sources,
    inline: instr.heredocs.map((h) => ({ name: h.name, content: h.expand ? ex.raw({ text: h.content, span: h.span }, scope) : h.content })),
    dest: dest.startsWith("/") ? dest : `${normalize(`${cwd}/${dest}`)}${dest.endsWith("/") || dest === "." ? "/" : ""}`,
    cwd,
    ...(instr.chown !== undefined && { chown: ex.word(instr.chown, scope) }),
    ...(instr.chmod !== undefined && { chmod: ex.word(instr.chmod, scope) }),
    link: instr.link,
    parents: instr.kind === "COPY" ? instr.parents : false,
    exclude: instr.exclude.map((w) => ex.word(w, scope)),
    ...(instr.kind === "ADD" && instr.checksum !== undefined && { checksum: ex.word(instr.checksum, scope) }),
    ...(instr.kind === "ADD" && { keepGitDir: instr.keepGitDir }),
    ...(instr.kind === "ADD" && instr.unpack !== undefined && { unpack: instr.unpack }),
  };
}
