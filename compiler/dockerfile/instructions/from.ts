/** FROM [--platform=P] image [AS name]. */
import type { FromInstruction, Node } from "../ast.ts";
import { argsSpan, report, type TypeContext } from "./context.ts";
import { parseFlags } from "./flags.ts";

const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

export function typeFrom(ctx: TypeContext, node: Node): FromInstruction | undefined {
  const flags = parseFlags(ctx, node, { platform: "string" });
  const v = node.values;
  const image = v[0];
  if (image === undefined || (v.length !== 1 && v.length !== 3)) {
    return report(ctx, "DF023", "FROM requires either one or three arguments", argsSpan(node), "FROM image [AS name]");
  }
  let stageName: typeof node.values[number] | undefined;
  if (v.length === 3) {
    const as = v[1];
    const name = v[2];
    if (as === undefined || name === undefined || as.text.toLowerCase() !== "as") {
      return report(ctx, "DF025", `FROM: expected "AS" as the second argument, got "${as?.text ?? ""}"`, as?.span ?? argsSpan(node), "FROM image AS name");
    }
    if (!STAGE_NAME.test(name.text.toLowerCase())) {
      return report(ctx, "DF025", `invalid stage name "${name.text}": it must start with a letter and contain only letters, digits, '-', '_' and '.'`, name.span);
    }
    stageName = name;
  }
  if (!flags.ok) return undefined;
  return { kind: "FROM", node, span: node.span, image, stageName, platform: flags.strings.get("platform") };
}
