/** ENV and LABEL (name/value pairs, both forms) and ARG (names with optional defaults). */
import type { ArgDecl, ArgInstruction, EnvInstruction, KeyValue, LabelInstruction, Node, Word } from "../ast.ts";
import { report, requireArgs, type TypeContext } from "./context.ts";
import { parseFlags } from "./flags.ts";

function pairs(node: Node): KeyValue[] {
  const out: KeyValue[] = [];
  const v = node.values;
  for (let i = 0; i + 2 < v.length; i += 3) {
    const k = v[i] as Word;
    const val = v[i + 1] as Word;
    const sep = v[i + 2] as Word;
    out.push({ key: k.text, value: val, span: { start: k.span.start, end: Math.max(k.span.end, val.span.end) }, legacy: sep.text === "" });
  }
  return out;
}

export function typeEnv(ctx: TypeContext, node: Node): EnvInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  if (!requireArgs(ctx, node, 1) || !ok) return undefined;
  const ps = pairs(node);
  for (const p of ps) if (p.key === "") return report(ctx, "DF025", "ENV names can not be blank", p.span);
  return { kind: "ENV", node, span: node.span, pairs: ps };
}

export function typeLabel(ctx: TypeContext, node: Node): LabelInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  if (!requireArgs(ctx, node, 1) || !ok) return undefined;
  const ps = pairs(node);
  for (const p of ps) if (p.key === "") return report(ctx, "DF025", "LABEL names can not be blank", p.span);
  return { kind: "LABEL", node, span: node.span, pairs: ps };
}

export function typeArg(ctx: TypeContext, node: Node): ArgInstruction | undefined {
  const ok = parseFlags(ctx, node, {}).ok;
  if (!requireArgs(ctx, node, 1) || !ok) return undefined;
  const args: ArgDecl[] = [];
  let bad = false;
  for (const w of node.values) {
    const eq = w.text.indexOf("=");
    const name = eq < 0 ? w.text : w.text.slice(0, eq);
    if (name === "") {
      report(ctx, "DF025", "ARG names can not be blank", w.span, "write ARG name or ARG name=default");
      bad = true;
      continue;
    }
    const def: Word | undefined =
      eq < 0 ? undefined : { text: w.text.slice(eq + 1), span: { start: Math.min(w.span.start + eq + 1, w.span.end), end: w.span.end } };
    args.push({ name, default: def, span: w.span });
  }
  return bad ? undefined : { kind: "ARG", node, span: node.span, args };
}
