/**
 * COPY [--from --chown --chmod --link --parents --exclude] src... dest and
 * ADD [--chown --chmod --link --checksum --keep-git-dir --exclude --unpack] src... dest.
 */
import { parseChmod } from "../../ir/config-values.ts";
import { checksumProblem } from "../../ir/remote-source.ts";
import type { AddInstruction, CopyInstruction, Node, Word } from "../ast.ts";
import { argsSpan, chompedHeredocs, report, type TypeContext } from "./context.ts";
import { type ParsedFlags, parseFlags } from "./flags.ts";

function common(ctx: TypeContext, node: Node, flags: ParsedFlags) {
  const kw = node.keyword.toUpperCase();
  if (node.values.length < 2) {
    report(
      ctx,
      "DF023",
      node.values.length === 0 ? `${kw} requires at least two arguments` : `${kw} requires at least two arguments, but only one was provided. Destination could not be determined`,
      argsSpan(node),
      `${kw} <src>... <dest>`,
    );
    return undefined;
  }
  const chmod = flags.strings.get("chmod");
  // As BuildKit (dockerfile2llb/convert_copy.go): any octal up to 07777 (`0`, `7`, `00755`), else a symbolic mode.
  const mode = chmod === undefined || chmod.text.includes("$") ? undefined : parseChmod(chmod.text);
  if (mode !== undefined && !mode.ok && chmod !== undefined) {
    report(ctx, "DF021", mode.message, chmod.span, "use an octal mode such as 0755 or a symbolic mode such as u+x");
    return undefined;
  }
  return {
    sources: node.values.slice(0, -1),
    dest: node.values[node.values.length - 1] as Word,
    chown: flags.strings.get("chown"),
    chmod,
    link: flags.bools.get("link") ?? false,
    exclude: flags.lists.get("exclude") ?? [],
    heredocs: chompedHeredocs(node),
  };
}

export function typeCopy(ctx: TypeContext, node: Node): CopyInstruction | undefined {
  const flags = parseFlags(ctx, node, { from: "string", chown: "string", chmod: "string", link: "bool", parents: "bool", exclude: "list" });
  const c = common(ctx, node, flags);
  if (c === undefined || !flags.ok) return undefined;
  return { kind: "COPY", node, span: node.span, ...c, from: flags.strings.get("from"), parents: flags.bools.get("parents") ?? false };
}

export function typeAdd(ctx: TypeContext, node: Node): AddInstruction | undefined {
  const flags = parseFlags(ctx, node, {
    chown: "string",
    chmod: "string",
    link: "bool",
    checksum: "string",
    "keep-git-dir": "bool",
    exclude: "list",
    unpack: "bool",
  });
  const c = common(ctx, node, flags);
  if (c === undefined || !flags.ok) return undefined;
  const checksum = flags.strings.get("checksum");
  // Literal words are checked now; one with a variable after expansion, at lowering.
  const literal = checksum !== undefined && [checksum, ...c.sources].every((w) => !/[$'"\\`]/.test(w.text));
  const bad = literal ? checksumProblem(checksum.text, c.sources.map((w) => w.text)) : undefined;
  if (bad !== undefined && checksum !== undefined) return report(ctx, "DF021", bad.message, checksum.span, bad.hint);
  return {
    kind: "ADD",
    node,
    span: node.span,
    ...c,
    checksum,
    keepGitDir: flags.bools.get("keep-git-dir") ?? false,
    unpack: flags.bools.get("unpack"),
  };
}
