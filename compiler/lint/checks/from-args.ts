/**
 * The checks of FROM's variables, which see only the global ARGs (declared
 * before the first FROM) and the predefined platform ARGs:
 * UndefinedArgInFrom, InvalidDefaultArgInFrom and RedundantTargetPlatform.
 */
import type { ArgInstruction, Word } from "../../dockerfile/ast.ts";
import { suggest } from "../../dockerfile/edit-distance.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { platformArgs } from "../../lower/platform.ts";
import { expandWord } from "../../shell/index.ts";
import { isValidReference } from "../reference.ts";
import { finding, RULES } from "../rules.ts";
import { splitStages } from "../stages.ts";
import type { Check } from "../types.ts";

const PLATFORM_ARGS: ReadonlyMap<string, string> = platformArgs("linux/amd64", "linux/amd64");

function declaredNames(globalArgs: readonly ArgInstruction[]): string[] {
  const names = new Set<string>(PLATFORM_ARGS.keys());
  for (const a of globalArgs) for (const d of a.args) names.add(d.name);
  return [...names];
}

/** Variables of the FROM image and --platform words that no global ARG declares. */
export const undefinedArgInFrom: Check = (ast, instructions) => {
  const { globalArgs, stages } = splitStages(instructions);
  const known = declaredNames(globalArgs);
  const knownSet = new Set(known);
  const env = (name: string): string | undefined => (knownSet.has(name) ? "" : undefined);
  const out: Diagnostic[] = [];
  for (const { from } of stages) {
    const words: Word[] = [from.image, ...(from.platform === undefined ? [] : [from.platform])];
    for (const w of words) {
      const r = expandWord(w.text, env, { escape: ast.escape });
      if (!r.ok) continue;
      for (const name of r.unset) {
        out.push(finding(RULES.UndefinedArgInFrom, ast.file, w.span, name, suggest(name, known)));
      }
    }
  }
  return out;
};

/** The global ARGs' defaults, each expanded with the ones before it (no --build-arg). */
function defaultEnv(globalArgs: readonly ArgInstruction[], esc: "\\" | "`"): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>(PLATFORM_ARGS);
  const lookup = (n: string): string | undefined => env.get(n);
  for (const a of globalArgs) {
    for (const d of a.args) {
      if (d.default === undefined) {
        env.set(d.name, undefined);
        continue;
      }
      const r = expandWord(d.default.text, lookup, { escape: esc });
      env.set(d.name, r.ok ? r.value : d.default.text);
    }
  }
  return env;
}

/** A FROM whose image, built from ARG defaults alone, is empty or not a valid reference. */
export const invalidDefaultArgInFrom: Check = (ast, instructions) => {
  const { globalArgs, stages } = splitStages(instructions);
  const env = defaultEnv(globalArgs, ast.escape);
  const out: Diagnostic[] = [];
  for (const { from } of stages) {
    const r = expandWord(from.image.text, (n) => env.get(n), { escape: ast.escape });
    if (!r.ok || r.used.length === 0) continue;
    if (r.value === "" || !isValidReference(r.value)) {
      out.push(finding(RULES.InvalidDefaultArgInFrom, ast.file, from.image.span, from.image.text));
    }
  }
  return out;
};

/** `FROM --platform=$TARGETPLATFORM`: the target platform is already the default. */
export const redundantTargetPlatform: Check = (ast, instructions) => {
  const sentinel = "\u0000target-platform\u0000";
  const out: Diagnostic[] = [];
  for (const { from } of splitStages(instructions).stages) {
    const p = from.platform;
    if (p === undefined) continue;
    const r = expandWord(p.text, (n) => (n === "TARGETPLATFORM" ? sentinel : undefined), { escape: ast.escape });
    if (r.ok && r.value === sentinel) out.push(finding(RULES.RedundantTargetPlatform, ast.file, p.span, p.text));
  }
  return out;
};
