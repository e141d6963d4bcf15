/**
 * CopyIgnoredFile: a COPY or ADD from the build context of a path that
 * .dockerignore excludes, so the build will not find it. Sources from another
 * stage or image, URLs, heredocs, variables and the whole context (`.`) are
 * not checked.
 */
import { posix } from "node:path";
import dockerignoreModule from "@balena/dockerignore";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

// CommonJS module typed as an ES default export: its `default` is the factory itself.
const dockerignore = dockerignoreModule.default;

/** The context-relative path a source names, or undefined when it is not a plain context path. */
function contextPath(src: string): string | undefined {
  if (src.startsWith("<<") || src.includes("$") || src.includes("://") || src.startsWith("git@")) return undefined;
  const rel = posix.normalize(src).replace(/^(?:\.?\/)+/, "").replace(/\/+$/, "");
  return rel === "" || rel === "." ? undefined : rel;
}

export const copyIgnoredFile: Check = (ast, instructions, _source, options) => {
  const patterns = (options.dockerignore ?? []).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  if (patterns.length === 0) return [];
  const ig = dockerignore({ ignorecase: false }).add(patterns);
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "COPY" && ins.kind !== "ADD") continue;
    if (ins.kind === "COPY" && ins.from !== undefined) continue;
    for (const s of ins.sources) {
      const rel = contextPath(s.text);
      if (rel !== undefined && ig.ignores(rel)) {
        out.push(finding(RULES.CopyIgnoredFile, ast.file, s.span, ins.kind === "COPY" ? "Copy" : "Add", s.text));
      }
    }
  }
  return out;
};
