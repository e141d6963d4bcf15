// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are Dockerfile words, ${…} is their syntax.
import { describe, expect, it } from "vitest";
import { prng } from "../helpers/prng.ts";
import { expandWithEnvRecord } from "../../compiler/shell/index.ts";
import { compileGlob, reversePattern } from "../../compiler/shell/glob.ts";
import { GlobMatcher } from "../../compiler/shell/matcher.ts";
import { expandTemplate } from "../../compiler/shell/substitute.ts";


/** The glob as a JS regexp: a backtracking engine, leftmost-first like Go's. */
function toRegExp(glob: string, greedy: boolean, anchored: boolean): RegExp {
  let src = anchored ? "^" : "";
  for (const ch of glob) {
    if (ch === "*") src += greedy ? "[^\\n]*" : "[^\\n]*?";
    else if (ch === "?") src += "[^\\n]";
    else src += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  }
  return new RegExp(src, "u");
}

describe("glob matcher agrees with a backtracking engine (leftmost-first)", () => {
  const next = prng(42);
  const pick = (s: string) => s[Math.floor(next() * s.length)] as string;
  const cases: [string, string, boolean, boolean][] = [];
  for (let i = 0; i < 2000; i++) {
    let glob = "";
    const gl = Math.floor(next() * 6);
    for (let j = 0; j < gl; j++) glob += pick("ab*?*");
    let input = "";
    const il = Math.floor(next() * 10);
    for (let j = 0; j < il; j++) input += pick("aab\nb");
    cases.push([glob, input, next() < 0.5, next() < 0.5]);
  }

  it("on 2000 random globs and inputs", () => {
    for (const [glob, input, greedy, anchored] of cases) {
      const compiled = compileGlob(glob, greedy);
      if (!compiled.ok) throw new Error(compiled.message);
      const got = new GlobMatcher(compiled.program).search(input, 0, anchored);
      const m = toRegExp(glob, greedy, anchored).exec(input);
      const want = m === null ? null : { start: m.index, end: m.index + m[0].length };
      expect(got, JSON.stringify({ glob, input, greedy, anchored })).toEqual(want);
    }
  });
});

describe("pattern helpers", () => {
  it.each([
    ["a\\*c", "c\\*a"],
    ["\\\\\\ab", "b\\a\\\\"],
    ["ab\\", "\\ba"],
    ["👽\\🚀🖖", "🖖\\🚀👽"],
    ["\\\\b", "b\\\\"],
  ])("reversePattern(%s) = %s", (pattern, expected) => {
    expect(reversePattern(pattern)).toBe(expected);
  });

  it.each(["\\", "\\x", "\\\\\\"])("rejects the pattern %s", (pattern) => {
    expect(compileGlob(pattern, true).ok).toBe(false);
  });

  it.each([
    ["<$0>", "m", "<m>"],
    ["${0}", "m", "m"],
    ["$00", "m", ""],
    ["$1", "m", ""],
    ["$0x", "m", ""],
    ["${0", "m", "${0"],
    ["$$0", "m", "$0"],
    ["a$", "m", "a$"],
    ["no dollar", "m", "no dollar"],
  ])("expandTemplate(%s, %s) = %s", (template, match, expected) => {
    expect(expandTemplate(template, match)).toBe(expected);
  });
});

describe("replace-all follows Go's ReplaceAllString on empty matches", () => {
  it.each([
    ["ab", "${V//*/-}", "-"],
    ["a\nb", "${V//*/-}", "-\n-"],
    ["", "${V//*/-}", "-"],
    ["", "${V/*/-}", "-"],
    ["xy", "${V//?/-}", "--"],
    ["aXbXc", "${V//X/}", "abc"],
  ])("%j with %s", (v, word, expected) => {
    expect(expandWithEnvRecord(word, { V: v })).toMatchObject({ ok: true, value: expected });
  });
});
