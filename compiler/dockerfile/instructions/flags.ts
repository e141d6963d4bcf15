/**
 * Typed flag parsing (BuildKit's BFlags): each instruction declares its flags
 * as data; unknown flags get "did you mean", bools accept bare/true/false,
 * string flags need a value, only list flags may repeat.
 */
import type { Flag, Node, Word } from "../ast.ts";
import { suggest } from "../edit-distance.ts";
import { report, type TypeContext } from "./context.ts";

export type FlagKind = "string" | "bool" | "list";
export type FlagSpec = Readonly<Record<string, FlagKind>>;

export interface ParsedFlags {
  readonly strings: Map<string, Word>;
  readonly bools: Map<string, boolean>;
  readonly lists: Map<string, Word[]>;
  readonly ok: boolean;
}

function valueWord(f: Flag): Word {
  return { text: f.value ?? "", span: f.valueSpan };
}

export function parseFlags(ctx: TypeContext, node: Node, spec: FlagSpec): ParsedFlags {
  const strings = new Map<string, Word>();
  const bools = new Map<string, boolean>();
  const lists = new Map<string, Word[]>();
  let ok = true;
  const kw = node.keyword.toUpperCase();
  for (const f of node.flags) {
    const kind = spec[f.name];
    if (kind === undefined) {
      const names = Object.keys(spec);
      const s = suggest(f.name, names);
      const hint = s !== undefined ? `did you mean --${s}?` : names.length > 0 ? `${kw} accepts ${names.map((n) => `--${n}`).join(", ")}` : `${kw} takes no flags`;
      report(ctx, "DF020", `unknown flag: --${f.name} for ${kw}`, f.span, hint);
      ok = false;
      continue;
    }
    if (kind === "list") {
      if (f.value === undefined) {
        report(ctx, "DF022", `missing a value on flag: --${f.name}`, f.span, `write --${f.name}=VALUE`);
        ok = false;
        continue;
      }
      const l = lists.get(f.name) ?? [];
      l.push(valueWord(f));
      lists.set(f.name, l);
      continue;
    }
    if (strings.has(f.name) || bools.has(f.name)) {
      report(ctx, "DF022", `duplicate flag specified: --${f.name}`, f.span);
      ok = false;
      continue;
    }
    if (kind === "bool") {
      const v = f.value === undefined ? "true" : f.value.toLowerCase();
      if (v !== "true" && v !== "false") {
        report(ctx, "DF021", `expecting boolean value for flag --${f.name}, not: ${f.value}`, f.valueSpan, "use true or false");
        ok = false;
        continue;
      }
      bools.set(f.name, v === "true");
      continue;
    }
    if (f.value === undefined) {
      report(ctx, "DF022", `missing a value on flag: --${f.name}`, f.span, `write --${f.name}=VALUE`);
      ok = false;
      continue;
    }
    strings.set(f.name, valueWord(f));
  }
  return { strings, bools, lists, ok };
}
