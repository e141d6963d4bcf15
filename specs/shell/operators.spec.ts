// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are Dockerfile words, ${…} is their syntax.
import { describe, expect, it } from "vitest";
import {
  type ExpandOptions,
  expandWithEnvRecord,
  expandWord,
  expandWords,
} from "../../compiler/shell/index.ts";

const env = { FOO: "xxyy", EMPTY: "", PATHV: "/usr/local/bin:/usr/bin", FILE: "archive.tar.gz" };

function value(word: string, record: Record<string, string> = env, options?: ExpandOptions): string {
  const r = expandWithEnvRecord(word, record, options);
  if (!r.ok) throw new Error(`expansion of ${word} failed: ${r.message}`);
  return r.value;
}

function fails(word: string, record: Record<string, string> = env, options?: ExpandOptions): string {
  const r = expandWithEnvRecord(word, record, options);
  if (r.ok) throw new Error(`expansion of ${word} gave ${JSON.stringify(r.value)}`);
  return r.message;
}

describe("plain references", () => {
  it.each([
    ["$FOO", "xxyy"],
    ["${FOO}", "xxyy"],
    ["${FOO}_bar", "xxyy_bar"],
    ["$FOO_bar", ""],
    ["a$EMPTY-b", "a-b"],
    ["$", "$"],
    ["a$/b", "a$/b"],
    ["$'x'", "$x"],
  ])("%s → %s", (word, expected) => {
    expect(value(word)).toBe(expected);
  });
});

describe("default, alternative and required values", () => {
  it.each([
    ["${FOO:-d}", "xxyy"],
    ["${EMPTY:-d}", "d"],
    ["${UNSET:-d}", "d"],
    ["${FOO-d}", "xxyy"],
    ["${EMPTY-d}", ""],
    ["${UNSET-d}", "d"],
    ["${FOO:+a}", "a"],
    ["${EMPTY:+a}", ""],
    ["${UNSET:+a}", ""],
    ["${FOO+a}", "a"],
    ["${EMPTY+a}", "a"],
    ["${UNSET+a}", ""],
    ["${FOO:?m}", "xxyy"],
    ["${FOO?m}", "xxyy"],
    ["${EMPTY?m}", ""],
    ["${UNSET:-'a b'}", "a b"],
    ['${UNSET:-"$FOO}"}', "xxyy}"],
    ["${UNSET:-a\\}b}", "a}b"],
  ])("%s → %s", (word, expected) => {
    expect(value(word)).toBe(expected);
  });

  it("reports ? failures with BuildKit's messages", () => {
    expect(fails("${UNSET?}")).toBe("UNSET: is not allowed to be unset");
    expect(fails("${EMPTY:?}")).toBe("EMPTY: is not allowed to be empty");
    expect(fails("${UNSET:?}")).toBe("UNSET: is not allowed to be unset");
    expect(fails("${UNSET?need $FOO}")).toBe("UNSET: need xxyy");
    expect(fails("${EMPTY:?set it}")).toBe("EMPTY: set it");
  });
});

describe("prefix and suffix removal", () => {
  it.each([
    ["${FOO#x}", "xyy"],
    ["${FOO##*x}", "yy"],
    ["${FOO#*x*y}", "y"],
    ["${FOO##*x*y}", ""],
    ["${FOO#*}", "xxyy"],
    ["${FOO##*}", ""],
    ["${FOO#}", "xxyy"],
    ["${FOO##}", "xxyy"],
    ["${FOO#?}", "xyy"],
    ["${FOO#z}", "xxyy"],
    ["${FOO%y}", "xxy"],
    ["${FOO%%y*}", "xx"],
    ["${FOO%y*}", "xxy"],
    ["${FOO%}", "xxyy"],
    ["${FOO:#x}", "xyy"],
    ["${FILE%.*}", "archive.tar"],
    ["${FILE%%.*}", "archive"],
    ["${FILE#*.}", "tar.gz"],
    ["${FILE##*.}", "gz"],
    ["${PATHV%%:*}", "/usr/local/bin"],
    ["${UNSET#x}", ""],
    ["${FOO#$EMPTY}", "xxyy"],
    ["${FOO#'x'}", "xyy"],
    ["${FOO#'#'}", "xxyy"],
  ])("%s → %s", (word, expected) => {
    expect(value(word)).toBe(expected);
  });

  it("treats escaped glob characters and regexp characters literally", () => {
    expect(value("${V#()[]{\\}^$.\\*\\?|\\\\}", { V: "()[]{}^$.*?|\\x" })).toBe("x");
    expect(value("${V%%\\**}", { V: "xx**" })).toBe("xx");
    expect(value("${V%%\\**\\*}", { V: "a***yy*" })).toBe("a");
    expect(value("${V#?\\?}", { V: "???y" })).toBe("?y");
    expect(value("${V#a.c}", { V: "abc" })).toBe("abc");
  });

  it("does not let * or ? match a newline (Go's .)", () => {
    expect(value("${V#*b}", { V: "a\nb" })).toBe("a\nb");
    expect(value("${V%%?}", { V: "ab\n" })).toBe("ab\n");
  });

  it("counts ? in code points", () => {
    expect(value("${V#?}", { V: "😀x" })).toBe("x");
    expect(value("${V%?}", { V: "x😀" })).toBe("x");
  });

  it("rejects invalid escapes in patterns", () => {
    expect(fails("${FOO#\\x}")).toMatch(/^invalid pattern \(\\x\) in substitution: invalid escape/);
    expect(fails("${FOO%ab\\\\\\}")).toMatch(/^syntax error: missing '}'$/);
  });
});

describe("replacement", () => {
  it.each([
    ["${FOO/x/a}", "axyy"],
    ["${FOO//x/a}", "aayy"],
    ["${FOO/x*/a}", "a"],
    ["${FOO/?y/-}", "x-y"],
    ["${FOO/z/a}", "xxyy"],
    ["${FOO/x}", null],
    ["${FOO//}", null],
    ["${FOO///}", "xxyy"],
    ["${FOO//$EMPTY/-}", "-x-x-y-y-"],
    ["${FOO/$EMPTY/ww}", "wwxxyy"],
    ["${UNSET///}", ""],
  ])("%s → %s", (word, expected) => {
    if (expected === null) fails(word);
    else expect(value(word)).toBe(expected);
  });

  it("handles / in patterns and escaped separators", () => {
    expect(value("${V/$N/} - ${V//$N/}", { V: "/tmp/tmp/bar.txt", N: "/tmp" })).toBe("/tmp/bar.txt - /bar.txt");
    expect(value("${V//\\//\\/}", { V: "/tmp/foo.txt" })).toBe("\\/tmp\\/foo.txt");
    expect(value("${V/$N/.} - ${V//$N/.}", { V: "/foo*/*/*.txt", N: "\\*/" })).toBe("/foo.*/*.txt - /foo..*.txt");
    expect(value("${V/$N/$R} - ${V//$N/$R}", { V: "/a/foo/b/c.txt", N: "/?/", R: "/" })).toBe(
      "/foo/b/c.txt - /foo/c.txt",
    );
    expect(value("${V/$N/$R}", { V: "http://google.de", N: "http://", R: "https://" })).toBe("https://google.de");
  });

  it("expands $0 and $$ in a replace-all replacement as Go's ReplaceAllString", () => {
    expect(value("${V//o/'<$0>'}", { V: "foo" })).toBe("f<o><o>");
    expect(value("${V//o/'$$'}", { V: "foo" })).toBe("f$$");
    expect(value("${V//o/'$x'}", { V: "foo" })).toBe("f");
    expect(value("${V//o/'$.'}", { V: "foo" })).toBe("f$.$.");
    expect(value("${V/o/'$0'}", { V: "foo" })).toBe("f$0o");
  });
});

describe("errors", () => {
  it.each([
    ["${}", "syntax error: bad substitution", 0],
    ["ab${:-x}", "syntax error: bad substitution", 2],
    ["${", "syntax error: missing '}'", 0],
    ["${FOO", "syntax error: missing '}'", 0],
    ["x${FOO:-abc", "syntax error: missing '}'", 1],
    ["${FOO.}", "unsupported modifier (.) in substitution", 5],
    ["${FOO:=x}", "unsupported modifier (:=) in substitution", 5],
    ["${FOO/ab", "syntax error: missing '/' in ${}", 0],
    ["ab'cd", "unexpected end of statement while looking for matching single-quote", 2],
    ['ab"cd', "unexpected end of statement while looking for matching double-quote", 2],
  ])("%s fails: %s at %d", (word, message, offset) => {
    expect(expandWithEnvRecord(word, env)).toEqual({ ok: false, message, offset });
  });
});

describe("quotes and escapes", () => {
  it.each([
    ["'$FOO'", "$FOO"],
    ['"$FOO"', "xxyy"],
    ['"a\\"b"', 'a"b'],
    ['"a\\tb"', "a\\tb"],
    ["a\\ b", "a b"],
    ["\\$FOO", "$FOO"],
    ["\uFEFF$FOO", "xxyy"],
  ])("%s → %s", (word, expected) => {
    expect(value(word)).toBe(expected);
  });
});

describe("escape=` (backtick)", () => {
  const bt: ExpandOptions = { escape: "`" };
  it.each([
    ["`$FOO", "$FOO"],
    ["\\$FOO", "\\xxyy"],
    ["c:\\path\\$FOO", "c:\\path\\xxyy"],
    ['"a`"b"', 'a"b'],
    ['"a\\"', "a\\"],
    ["a` b", "a b"],
    ["a`", "a"],
    ["``", "`"],
    ["${UNSET:-a`}b}", "a}b"],
    ["${FOO#\\*}", "xxyy"],
  ])("%s → %s", (word, expected) => {
    expect(value(word, env, bt)).toBe(expected);
  });

  it("splits words with the backtick escape", () => {
    expect(expandWords("a` b c", () => undefined, bt)).toMatchObject({ ok: true, words: ["a b", "c"] });
  });
});

describe("used and unset", () => {
  it("reports names in first-reference order, set or not", () => {
    expect(expandWithEnvRecord("$FOO ${UNSET:-$EMPTY} $FOO ${OTHER}", env)).toEqual({
      ok: true,
      value: "xxyy  xxyy ",
      used: ["FOO", "EMPTY", "UNSET", "OTHER"],
      unset: ["UNSET", "OTHER"],
    });
  });

  it("looks inner words up before the outer name, as BuildKit does", () => {
    const r = expandWithEnvRecord("${A:-$B}", {});
    expect(r).toEqual({ ok: true, value: "", used: ["B", "A"], unset: ["B", "A"] });
  });

  it("reports nothing for quoted or escaped references", () => {
    expect(expandWithEnvRecord("'$A' \\$B", {})).toEqual({ ok: true, value: "$A $B", used: [], unset: [] });
  });

  it("asks the environment, so an empty value counts as set", () => {
    const asked: string[] = [];
    const r = expandWord("$A$B", (name) => {
      asked.push(name);
      return name === "A" ? "" : undefined;
    });
    expect(r).toEqual({ ok: true, value: "", used: ["A", "B"], unset: ["B"] });
    expect(asked).toEqual(["A", "B"]);
  });

  it("reports from expandWords too", () => {
    expect(expandWords("$A b", () => "x y")).toEqual({ ok: true, words: ["x", "y", "b"], used: ["A"], unset: [] });
  });
});

describe("expandWords", () => {
  it.each([
    ["a b", { V: "" }, ["a", "b"]],
    ['"" a', {}, ["a"]],
    ['""', {}, []],
    ["$V", { V: " x\ty\u00a0z " }, ["x", "y", "z"]],
    ["$V", { V: "x\uFEFFy" }, ["x\uFEFFy"]],
    ['"$V"', { V: " x y " }, [" x y "]],
    ["a\\ b c", {}, ["a b", "c"]],
  ] as const)("%s", (word, record, expected) => {
    const r = expandWords(word, (n) => (record as Record<string, string>)[n]);
    expect(r).toMatchObject({ ok: true, words: expected });
  });
});

describe("hard patterns stay linear", () => {
  it("matches a pathological glob quickly", () => {
    const v = "a".repeat(5000);
    const pattern = `${"*a".repeat(30)}*b`;
    const started = performance.now();
    expect(value(`\${V#${pattern}}`, { V: v })).toBe(v);
    expect(value(`\${V//${pattern}/x}`, { V: v.slice(0, 500) })).toBe(v.slice(0, 500));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("fails instead of overflowing on absurd nesting", () => {
    const word = `${"${A:-".repeat(100_000)}${"}".repeat(100_000)}`;
    const r = expandWithEnvRecord(word, {});
    expect(r.ok).toBe(false);
    expect(value(`${"${A:-".repeat(50)}x${"}".repeat(50)}`, {})).toBe("x");
  });
});
