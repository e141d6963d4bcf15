/**
 * Generic nodes → typed instructions (BuildKit's instructions.ParseInstruction),
 * one typer per instruction group. A node with any problem yields diagnostics
 * and no instruction.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Instruction, Node } from "../ast.ts";
import { suggest } from "../edit-distance.ts";
import { typeCmd, typeEntrypoint, typeShell } from "./command.ts";
import { report, type TypeContext } from "./context.ts";
import { typeAdd, typeCopy } from "./copy-add.ts";
import { typeArg, typeEnv, typeLabel } from "./env-label-arg.ts";
import { typeFrom } from "./from.ts";
import { typeHealthcheck } from "./healthcheck.ts";
import { typeOnbuild } from "./onbuild.ts";
import { typeRun } from "./run.ts";
import { typeExpose, typeMaintainer, typeStopSignal, typeUser, typeVolume, typeWorkdir } from "./simple.ts";

type Typer = (ctx: TypeContext, node: Node) => Instruction | undefined;

const TYPERS: Record<string, Typer> = {
  from: typeFrom,
  run: typeRun,
  cmd: typeCmd,
  entrypoint: typeEntrypoint,
  shell: typeShell,
  env: typeEnv,
  label: typeLabel,
  arg: typeArg,
  copy: typeCopy,
  add: typeAdd,
  workdir: typeWorkdir,
  user: typeUser,
  expose: typeExpose,
  volume: typeVolume,
  stopsignal: typeStopSignal,
  maintainer: typeMaintainer,
  healthcheck: typeHealthcheck,
  onbuild: (ctx, node) => typeOnbuild(ctx, node, typeNode),
};

export const KEYWORDS: readonly string[] = Object.keys(TYPERS).map((k) => k.toUpperCase());

export function typeNode(ctx: TypeContext, node: Node): Instruction | undefined {
  const typer = TYPERS[node.keyword];
  if (typer === undefined) {
    const s = suggest(node.keywordText, KEYWORDS);
    return report(ctx, "DF001", `unknown instruction: ${node.keywordText}`, node.keywordSpan, s === undefined ? undefined : `did you mean ${s}?`);
  }
  return typer(ctx, node);
}

export function typeInstructions(nodes: readonly Node[], file: string, diagnostics: Diagnostic[]): Instruction[] {
  const ctx: TypeContext = { file, diagnostics };
  const out: Instruction[] = [];
  for (const n of nodes) {
    const i = typeNode(ctx, n);
    if (i !== undefined) out.push(i);
  }
  return out;
}
