/**
 * Where `strata convert` writes one call for several Dockerfile lines, and
 * only where the result stays the same image with the same cache keys:
 *
 * - Adjacent ENVs become one `.env({...})` when no value of a later ENV
 *   names a variable the earlier ones set (ENV expands every value with the
 *   environment from before it, so `ENV A=1` + `ENV B=$A` must stay two) and
 *   no name repeats. The image's env and every key are the same; the history
 *   has one ENV entry where the Dockerfile had several.
 * - A global ARG that only a FROM reads, as its whole image (`ARG BASE=…` +
 *   `FROM ${BASE}`), moves into the call: `from(arg("BASE", …))`. `arg()`
 *   declares the same global ARG and gives the same value the FROM expanded.
 */
import type { ArgDecl, Instruction, KeyValue } from "../../compiler/dockerfile/ast.ts";

/** Whether the raw word names `$name` or `${name…}` (a conservative test: any such text counts). */
function mentions(raw: string, name: string): boolean {
  return raw.includes(`$${name}`) || raw.includes(`\${${name}`);
}

/** Whether an ENV's pairs can join the pairs of the ENVs just before it in one `.env({...})`. */
export function canJoinEnv(before: readonly KeyValue[], next: readonly KeyValue[]): boolean {
  const keys = new Set(before.map((p) => p.key));
  return next.every((p) => !keys.has(p.key) && ![...keys].some((k) => mentions(p.value.text, k))) && new Set(next.map((p) => p.key)).size === next.length;
}

/** The global ARGs (before the first FROM) that `from(arg(...))` can stand for, by name. */
export function baseArgs(instructions: readonly Instruction[]): Map<string, ArgDecl> {
  const first = instructions.findIndex((i) => i.kind === "FROM");
  const globals = instructions.slice(0, Math.max(first, 0)).flatMap((i) => (i.kind === "ARG" ? i.args : []));
  const froms = instructions.flatMap((i) => (i.kind === "FROM" ? [i] : []));
  const out = new Map<string, ArgDecl>();
  for (const decl of globals) {
    const { name } = decl;
    const whole = froms.filter((f) => f.image.text === `$${name}` || f.image.text === `\${${name}}`);
    const read = froms.filter((f) => mentions(f.image.text, name) || (f.platform !== undefined && mentions(f.platform.text, name)));
    const declared = globals.filter((d) => d.name === name).length;
    const inDefaults = globals.some((d) => d.default !== undefined && mentions(d.default.text, name));
    const plain = decl.default === undefined || !/[$\\]/.test(decl.default.text);
    if (whole.length === 1 && read.length === 1 && declared === 1 && !inDefaults && plain) out.set(name, decl);
  }
  return out;
}
