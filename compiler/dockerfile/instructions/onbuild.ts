/** ONBUILD trigger: any instruction but ONBUILD, FROM and MAINTAINER. */
import type { Instruction, Node, OnbuildInstruction } from "../ast.ts";
import { argsSpan, report, type TypeContext } from "./context.ts";
import { parseFlags } from "./flags.ts";

const FORBIDDEN = new Set(["onbuild", "from", "maintainer"]);

export function typeOnbuild(
  ctx: TypeContext,
  node: Node,
  typeNode: (ctx: TypeContext, n: Node) => Instruction | undefined,
): OnbuildInstruction | undefined {
  if (!parseFlags(ctx, node, {}).ok) return undefined;
  const next = node.next;
  if (next === undefined) return report(ctx, "DF023", "ONBUILD requires at least one argument", argsSpan(node));
  if (FORBIDDEN.has(next.keyword)) {
    const kw = next.keyword.toUpperCase();
    return report(ctx, "DF026", kw === "ONBUILD" ? "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed" : `${kw} isn't allowed as an ONBUILD trigger`, next.keywordSpan);
  }
  const trigger = typeNode(ctx, next);
  if (trigger === undefined) return undefined;
  return { kind: "ONBUILD", node, span: node.span, expression: node.rest.text, trigger };
}
