/** CMD, ENTRYPOINT (exec or shell form) and SHELL (JSON only). */
import type { CmdInstruction, CommandLine, EntrypointInstruction, Node, ShellInstruction } from "../ast.ts";
import { argsSpan, report, type TypeContext } from "./context.ts";
import { parseFlags } from "./flags.ts";

/** The command of a node whose values are exec-form strings or one shell string. */
export function commandLine(node: Node, values = node.values): CommandLine {
  if (node.json) return { form: "exec", args: values.map((v) => v.text) };
  return { form: "shell", script: values[0]?.text ?? "" };
}

export function typeCmd(ctx: TypeContext, node: Node): CmdInstruction | undefined {
  if (!parseFlags(ctx, node, {}).ok) return undefined;
  return { kind: "CMD", node, span: node.span, command: commandLine(node) };
}

export function typeEntrypoint(ctx: TypeContext, node: Node): EntrypointInstruction | undefined {
  if (!parseFlags(ctx, node, {}).ok) return undefined;
  return { kind: "ENTRYPOINT", node, span: node.span, command: commandLine(node) };
}

export function typeShell(ctx: TypeContext, node: Node): ShellInstruction | undefined {
  if (!parseFlags(ctx, node, {}).ok) return undefined;
  if (!node.json) {
    return report(ctx, "DF028", "SHELL requires the arguments to be in JSON form", argsSpan(node), 'write SHELL ["/bin/sh", "-c"]');
  }
  if (node.values.length === 0) return report(ctx, "DF023", "SHELL requires at least one argument", argsSpan(node));
  return { kind: "SHELL", node, span: node.span, args: node.values.map((v) => v.text) };
}
