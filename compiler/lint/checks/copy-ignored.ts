/**
 * CopyIgnoredFile: a COPY or ADD from the build context of a path that
 * .dockerignore excludes, so the build will not find it. As BuildKit's check
 * (validateCopySourcePath): the source as the build sees it (quotes and
 * escapes resolved, so `a\*b` is the path `a*b`) is matched with
 * MatchesOrParentMatches by the same matcher the build applies to the
 * context (compiler/patterns), so the warning and the build agree. Like
 * BuildKit, nothing is reported when the .dockerignore has `!` exceptions
 * (a directory may be excluded while files in it are re-included) or a
 * pattern the matcher refuses (the build reports that one). Sources from
 * another stage or image, URLs, heredocs, variables and the whole context
 * (`.`) are not checked.
 */
import { posix } from "node:path";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { EscapeChar } from "../../dockerfile/ast.ts";
import { PatternError } from "../../patterns/go-match.ts";
import { readIgnoreFile } from "../../patterns/ignore-file.ts";
import { PatternMatcher } from "../../patterns/pattern-matcher.ts";
import { expandWord } from "../../shell/index.ts";
import { finding, RULES } from "../rules.ts";
import type { Check } from "../types.ts";

/** The context-relative path a source word names, or undefined when it is not a plain context path. */
function contextPath(text: string, escapeChar: EscapeChar): string | undefined {
  if (text.startsWith("<<") || text.includes("$")) return undefined;
  const expanded = expandWord(text, () => undefined, { escape: escapeChar });
  if (!expanded.ok) return undefined;
  const src = expanded.value;
  if (src.includes("://") || src.startsWith("git@")) return undefined;
  const rel = posix.normalize(src).replace(/^(?:\.?\/)+/, "").replace(/\/+$/, "");
  return rel === "" || rel === "." ? undefined : rel;
}

/** The .dockerignore matcher the check uses, or undefined when it checks nothing. */
function ignoreMatcher(lines: readonly string[] | undefined): PatternMatcher | undefined {
  if (lines === undefined || lines.length === 0) return undefined;
  let m: PatternMatcher;
  try {
    m = new PatternMatcher(readIgnoreFile(lines.join("\n")));
  } catch (e) {
    if (e instanceof PatternError) return undefined;
    throw e;
  }
  return m.empty || m.exclusions ? undefined : m;
}

export const copyIgnoredFile: Check = (ast, instructions, _source, options) => {
  const ignore = ignoreMatcher(options.dockerignore);
  if (ignore === undefined) return [];
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "COPY" && ins.kind !== "ADD") continue;
    if (ins.kind === "COPY" && ins.from !== undefined) continue;
    for (const s of ins.sources) {
      const rel = contextPath(s.text, ast.escape);
      if (rel !== undefined && ignore.matches(rel)) {
        out.push(finding(RULES.CopyIgnoredFile, ast.file, s.span, ins.kind === "COPY" ? "Copy" : "Add", s.text));
      }
    }
  }
  return out;
};
