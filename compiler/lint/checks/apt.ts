/**
 * StrataAptNoRecommends and StrataAptListsNotCleaned: `apt-get install`
 * (or `apt install`) in a RUN should skip recommended packages, and the same
 * RUN should remove the package lists it downloaded, or they stay in the
 * layer. A RUN that mounts a cache or tmpfs on /var/lib/apt(/lists) keeps the
 * lists out of the layer already.
 */
import type { RunInstruction } from "../../dockerfile/ast.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../source/source-file.ts";
import type { Span } from "../../source/span.ts";
import { finding, RULES } from "../rules.ts";
import { commandName, runPieces, type SimpleCommand, simpleCommands } from "../run-scripts.ts";
import type { Check } from "../types.ts";

/** apt-get options that take the next word as their value. */
const OPTION_WITH_VALUE = new Set(["-o", "-t", "-c", "--option", "--target-release", "--config-file", "--default-release"]);

interface AptInstall {
  readonly command: SimpleCommand;
  /** The `apt-get` word through the `install` word. */
  readonly span: Span;
  readonly text: string;
}

function isAptInstall(cmd: SimpleCommand): { from: number; to: number; name: string } | undefined {
  const c = commandName(cmd);
  if (c === undefined || (c.name !== "apt-get" && c.name !== "apt")) return undefined;
  for (let i = c.index + 1; i < cmd.words.length; i++) {
    const w = (cmd.words[i] as { text: string }).text;
    if (OPTION_WITH_VALUE.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith("-")) continue;
    return w === "install" ? { from: c.index, to: i, name: c.name } : undefined;
  }
  return undefined;
}

function aptInstalls(run: RunInstruction, source: SourceFile): AptInstall[] {
  const out: AptInstall[] = [];
  for (const piece of runPieces(run, source)) {
    for (const cmd of simpleCommands(piece.text)) {
      const m = isAptInstall(cmd);
      if (m === undefined) continue;
      const first = cmd.words[m.from];
      const last = cmd.words[m.to];
      if (first === undefined || last === undefined) continue;
      out.push({ command: cmd, span: piece.span(first.start, last.end), text: `${m.name} install` });
    }
  }
  return out;
}

function skipsRecommends(cmd: SimpleCommand): boolean {
  return cmd.words.some((w) => w.text === "--no-install-recommends" || /APT::Install-Recommends=(?:false|0|no|off)$/i.test(w.text));
}

export const aptNoRecommends: Check = (ast, instructions, source) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "RUN") continue;
    for (const inst of aptInstalls(ins, source)) {
      if (!skipsRecommends(inst.command)) out.push(finding(RULES.StrataAptNoRecommends, ast.file, inst.span, inst.text));
    }
  }
  return out;
};

function removesLists(cmd: SimpleCommand): boolean {
  const c = commandName(cmd);
  if (c === undefined || c.name !== "rm") return false;
  return cmd.words
    .slice(c.index + 1)
    .some((w) => /^\/var\/lib\/apt(?:\/(?:\*)?)?$/.test(w.text) || /^\/var\/lib\/apt\/lists(?:\/.*)?$/.test(w.text));
}

function mountsLists(run: RunInstruction): boolean {
  return run.mounts.some(({ literal: m }) => (m?.type === "cache" || m?.type === "tmpfs") && m.target !== undefined && /^\/var\/lib\/apt(?:\/lists)?\/?$/.test(m.target));
}

export const aptListsNotCleaned: Check = (ast, instructions, source) => {
  const out: Diagnostic[] = [];
  for (const ins of instructions) {
    if (ins.kind !== "RUN") continue;
    const installs = aptInstalls(ins, source);
    const first = installs[0];
    if (first === undefined || mountsLists(ins)) continue;
    const cleaned = runPieces(ins, source).some((p) => simpleCommands(p.text).some(removesLists));
    if (!cleaned) out.push(finding(RULES.StrataAptListsNotCleaned, ast.file, first.span));
  }
  return out;
};
