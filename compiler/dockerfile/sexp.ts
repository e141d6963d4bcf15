/**
 * BuildKit's AST dump (parser.Node.Dump): one `(keyword ["flags"] "value"...)`
 * line per instruction, ONBUILD nesting its trigger, values quoted as Go's
 * strconv.Quote quotes them.
 */
import type { DockerfileAst, Node } from "./ast.ts";
import { goQuote } from "./go-quote.ts";

export function dumpNode(node: Node): string {
  let s = node.keyword;
  if (node.flags.length > 0) s += ` [${node.flags.map((f) => goQuote(f.text)).join(" ")}]`;
  if (node.next !== undefined) s += ` (${dumpNode(node.next)})`;
  for (const v of node.values) s += ` ${goQuote(v.text)}`;
  return s.trim();
}

export function dumpSexp(ast: DockerfileAst): string {
  let out = "";
  for (const n of ast.nodes) out += `(${dumpNode(n)})\n`;
  return out;
}
