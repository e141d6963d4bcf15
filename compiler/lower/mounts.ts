/**
 * RUN --mount flags into the graph's mounts, as BuildKit's dispatchRunMounts:
 * each value expanded with the stage's ARG/ENV before the mount is validated
 * and typed (`typeMount`); a relative or empty target joined to the working
 * directory (so `--mount=from=stage` alone mounts the stage at WORKDIR); a
 * target that comes out as `/` refused; a cache's id, when not given, its
 * target as written, cleaned (BuildKit's `path.Clean(mount.Target)`).
 */
import type { MountFlag } from "../dockerfile/ast.ts";
import { typeMount } from "../dockerfile/instructions/mount.ts";
import type { Mount } from "../ir/graph.ts";
import { goClean } from "../patterns/go-match.ts";
import { normalize } from "./config.ts";
import type { Expander, Scope } from "./scope.ts";

/** `resolveFrom` resolves a `from=` name (ops.ts `fromRef`: a stage or an image). */
export function lowerMount(flag: MountFlag, cwd: string, scope: Scope, ex: Expander, resolveFrom: (name: string) => NonNullable<Mount["from"]>): Mount | undefined {
  const fields = flag.fields.map((f) => (f.value === undefined ? f : { key: f.key, value: ex.word({ text: f.value, span: flag.span }, scope) }));
  const m = typeMount(fields, flag.span, (message, hint) => ex.error("DF029", flag, message, hint));
  if (m === undefined) return undefined;
  const placed = m.type === "bind" || m.type === "cache" || m.type === "tmpfs";
  const written = m.target ?? "";
  const target = written.startsWith("/") || (!placed && written === "") ? written : normalize(`${cwd}/${written}`);
  if (placed && normalize(target) === "/") {
    ex.error("DF029", flag, `invalid mount target "${target}"`, written === "" ? "with no target the mount goes at the working directory, here /: add target=/path" : "a mount cannot cover /");
    return undefined;
  }
  const id = m.type === "cache" ? (m.id ?? goClean(written)) : m.id;
  return {
    type: m.type,
    target,
    readonly: m.readonly,
    ...(m.from !== undefined && { from: resolveFrom(m.from) }),
    ...(m.source !== undefined && { source: m.source }),
    ...(id !== undefined && { id }),
    ...(m.sharing !== undefined && { sharing: m.sharing }),
    ...(m.mode !== undefined && { mode: m.mode }),
    ...(m.uid !== undefined && { uid: m.uid }),
    ...(m.gid !== undefined && { gid: m.gid }),
    ...(m.required !== undefined && { required: m.required }),
    ...(m.env !== undefined && { env: m.env }),
    ...(m.size !== undefined && { size: m.size }),
  };
}
