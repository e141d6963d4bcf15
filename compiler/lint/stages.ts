/**
 * The stages of a Dockerfile as the checks see them: the global ARGs before
 * the first FROM, then one entry per FROM with the instructions up to the next.
 * A stage based on an earlier stage (`FROM builder`) points at it.
 */
import type { ArgInstruction, FromInstruction, Instruction } from "../dockerfile/ast.ts";

export interface LintStage {
  readonly index: number;
  readonly from: FromInstruction;
  /** Lower-case stage name, if named. */
  readonly name: string | undefined;
  /** The instructions after the FROM, in order. */
  readonly instructions: readonly Instruction[];
  /** The earlier stage this one is based on, if its base names one. */
  readonly parent: LintStage | undefined;
}

export interface StageSplit {
  readonly globalArgs: readonly ArgInstruction[];
  readonly stages: readonly LintStage[];
}

export function splitStages(instructions: readonly Instruction[]): StageSplit {
  const globalArgs: ArgInstruction[] = [];
  const stages: LintStage[] = [];
  let current: Instruction[] | undefined;
  for (const ins of instructions) {
    if (ins.kind === "FROM") {
      const base = ins.image.text.toLowerCase();
      const parent = stages.find((s) => s.name !== undefined && s.name === base);
      current = [];
      stages.push({ index: stages.length, from: ins, name: ins.stageName?.text.toLowerCase(), instructions: current, parent });
    } else if (current === undefined) {
      if (ins.kind === "ARG") globalArgs.push(ins);
    } else current.push(ins);
  }
  return { globalArgs, stages };
}

/** The stage and the stages it is based on, nearest first. */
export function ancestry(stage: LintStage): LintStage[] {
  const out: LintStage[] = [];
  const seen = new Set<number>();
  for (let s: LintStage | undefined = stage; s !== undefined && !seen.has(s.index); s = s.parent) {
    seen.add(s.index);
    out.push(s);
  }
  return out;
}
