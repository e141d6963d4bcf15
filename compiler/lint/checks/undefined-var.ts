/**
 * UndefinedVar: a `$NAME` in a word the build expands (ENV and LABEL values,
 * ARG defaults, COPY/ADD paths and flags, WORKDIR, USER, EXPOSE, VOLUME,
 * STOPSIGNAL) that nothing in scope defines. The scope of a stage is its own
 * ARGs and ENVs so far, plus the ENVs of the stages it is based on; global
 * ARGs are visible only once redeclared inside the stage.
 *
 * BuildKit also knows the base image's Env; Strata lints without pulling, so
 * in a stage based on an external image a name is reported only when it is
 * surely wrong: a global ARG not redeclared in the stage, or a near miss of a
 * name in scope. Stages based on scratch or on other stages are fully known.
 * References with a default (`${NAME:-x}`, `${NAME-x}`, `${NAME:+x}`,
 * `${NAME?msg}`) are not reported. An ARG or ENV whose name has a variable
 * (the build expands it) makes the rest of its stage not fully known.
 */
import type { Instruction, Word } from "../../dockerfile/ast.ts";
import { suggest } from "../../dockerfile/edit-distance.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { PROXY_ARGS } from "../../lower/platform.ts";
import type { Span } from "../../source/span.ts";
import { expandWord } from "../../shell/index.ts";
import { finding, RULES } from "../rules.ts";
import { ancestry, type LintStage, splitStages } from "../stages.ts";
import type { Check } from "../types.ts";

/** The words of an instruction that the build expands, in order. */
function expandedWords(ins: Instruction): Word[] {
  switch (ins.kind) {
    case "LABEL":
      return ins.pairs.map((p) => p.value);
    case "COPY":
    case "ADD": {
      const flags = [ins.chown, ins.chmod, ins.kind === "COPY" ? ins.from : undefined].filter((w): w is Word => w !== undefined);
      return [...flags, ...ins.sources.filter((s) => !s.text.startsWith("<<")), ins.dest];
    }
    case "WORKDIR":
      return [ins.path];
    case "USER":
      return [ins.user];
    case "STOPSIGNAL":
      return [ins.signal];
    case "EXPOSE":
      return [...ins.ports];
    case "VOLUME":
      return [...ins.paths];
    default:
      return [];
  }
}

/** Whether some reference to `name` in `text` has no default value. */
const escapeRe = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, "\\$&");

function hasPlainReference(text: string, raw: string): boolean {
  const name = escapeRe(raw);
  const re = new RegExp(`\\$(?:${name}(?![A-Za-z0-9_])|\\{${name}(:?[-+?=])?)`, "g");
  for (const m of text.matchAll(re)) if (m[1] === undefined) return true;
  return false;
}

/** The span of the first `$name` / `${name…}` in the word, when the word maps 1:1 onto the source. */
function referenceSpan(w: Word, raw: string): Span {
  const name = escapeRe(raw);
  if (w.span.end - w.span.start !== w.text.length) return w.span;
  const m = new RegExp(`\\$(?:${name}(?![A-Za-z0-9_])|\\{${name}[^}]*\\}?)`).exec(w.text);
  if (m === null) return w.span;
  return { start: w.span.start + m.index, end: w.span.start + m.index + m[0].length };
}

/** ENV names a stage ends with (its own and its ancestors'). */
function stageEnvNames(stage: LintStage): Set<string> {
  const names = new Set<string>();
  for (const s of ancestry(stage)) for (const i of s.instructions) if (i.kind === "ENV") for (const p of i.pairs) names.add(p.key);
  return names;
}

/** Whether the stage's whole Env is known: its chain of stages starts from scratch. */
function baseIsKnown(stage: LintStage): boolean {
  const root = ancestry(stage).at(-1) ?? stage;
  return root.from.image.text.toLowerCase() === "scratch";
}

export const undefinedVar: Check = (ast, instructions) => {
  const { globalArgs, stages } = splitStages(instructions);
  const globalNames = new Set(globalArgs.flatMap((a) => a.args.map((d) => d.name)));
  const out: Diagnostic[] = [];
  for (const stage of stages) {
    // A name that names a variable (`ARG ${src}=x`, which the build expands) is not known here: from then on the stage is not fully known.
    let known = baseIsKnown(stage);
    const defined = stage.parent === undefined ? new Set<string>() : stageEnvNames(stage.parent);
    const check = (w: Word): void => {
      if (!w.text.includes("$")) return;
      const r = expandWord(w.text, (n) => (defined.has(n) || PROXY_ARGS.has(n) ? "" : undefined), { escape: ast.escape });
      if (!r.ok) return;
      for (const name of r.unset) {
        if (!hasPlainReference(w.text, name)) continue;
        const near = suggest(name, [...defined]);
        const global = globalNames.has(name);
        if (!known && !global && near === undefined) continue;
        const d = finding(RULES.UndefinedVar, ast.file, referenceSpan(w, name), name, near);
        out.push(global ? { ...d, hint: `ARG ${name} is declared before FROM: declare \`ARG ${name}\` inside the stage to use it here` } : d);
      }
    };
    for (const ins of stage.instructions) {
      if (ins.kind === "ARG") {
        for (const d of ins.args) {
          if (d.default !== undefined) check(d.default);
          if (d.name.includes("$")) known = false;
          defined.add(d.name);
        }
      } else if (ins.kind === "ENV") {
        for (const p of ins.pairs) check(p.value);
        for (const p of ins.pairs) {
          if (p.key.includes("$")) known = false;
          defined.add(p.key);
        }
      } else {
        for (const w of expandedWords(ins)) check(w);
      }
    }
  }
  return out;
};
