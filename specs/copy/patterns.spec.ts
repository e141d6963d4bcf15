import { describe, expect, it } from "vitest";
import { parseChmod } from "../../runtime/engine/exec/copy/chmod.ts";
import { parentsPivot } from "../../runtime/engine/context/select.ts";
import { goMatch, hasWildcards, PatternError, splitWildcards } from "../../compiler/patterns/go-match.ts";
import { goRegExp } from "../../compiler/patterns/go-regexp.ts";
import { goTrimSpace } from "../../compiler/patterns/go-text.ts";
import { readIgnoreFile } from "../../compiler/patterns/ignore-file.ts";
import { PatternMatcher } from "../../compiler/patterns/pattern-matcher.ts";

describe("goMatch is Go's filepath.Match", () => {
  // From Go's path/filepath match_test.go.
  const cases: [string, string, boolean | "error"][] = [
    ["abc", "abc", true],
    ["*", "abc", true],
    ["*c", "abc", true],
    ["a*", "a", true],
    ["a*", "abc", true],
    ["a*", "ab/c", false],
    ["a*/b", "abc/b", true],
    ["a*/b", "a/c/b", false],
    ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
    ["a*b?c*x", "abxbbxdbxebxczzx", true],
    ["a*b?c*x", "abxbbxdbxebxczzy", false],
    ["ab[c]", "abc", true],
    ["ab[b-d]", "abc", true],
    ["ab[e-g]", "abc", false],
    ["ab[^c]", "abc", false],
    ["ab[^b-d]", "abc", false],
    ["ab[^e-g]", "abc", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "ab", false],
    ["a?b", "a☺b", true],
    ["a[^a]b", "a☺b", true],
    ["a???b", "a☺b", false],
    ["*x", "xxx", true],
    ["[", "a", "error"],
    ["[^", "a", "error"],
    ["[-]", "-", "error"],
    ["a[", "x", "error"],
    ["a/b[", "a/b", "error"],
  ];
  for (const [pattern, name, want] of cases) {
    it(`${pattern} ${name}`, () => {
      if (want === "error") expect(() => goMatch(pattern, name)).toThrow(/syntax error in pattern/);
      else expect(goMatch(pattern, name)).toBe(want);
    });
  }
  it("splits a path at its first segment with a wildcard", () => {
    expect(splitWildcards("/src/*/x.txt")).toEqual({ dir: "/src", pattern: "*/x.txt" });
    expect(splitWildcards("/*.txt")).toEqual({ dir: "/", pattern: "*.txt" });
    expect(splitWildcards("/arr\\[0].txt")).toEqual({ dir: "/arr\\[0].txt", pattern: "" });
  });
});

describe("PatternMatcher is moby/patternmatcher", () => {
  const cases: [string[], string, boolean][] = [
    [["*.go"], "main.go", true],
    [["*.go"], "sub/main.go", false],
    [["**/*.go"], "sub/main.go", true],
    [["**/*.go"], "main.go", true],
    [["**"], "anything/at/all", true],
    [["docs"], "docs/a/b.md", true],
    [["docs/**"], "docs/a", true],
    [["docs/**"], "docs", false],
    [["**/node_modules"], "a/b/node_modules/x.js", true],
    [["*.md", "!README.md"], "README.md", false],
    [["*.md", "!README.md"], "CHANGES.md", true],
    [["*.md", "!README*.md", "README-secret.md"], "README-secret.md", true],
    [["a/b", "!a/b/c"], "a/b/c/d", false],
    [["a/b", "!a/b/c"], "a/b/e", true],
    [["./a"], "a", true],
    [["a/./b/../c"], "a/c", true],
    [["[ab].txt"], "b.txt", true],
    [["a?c.txt"], "abc.txt", true],
    [["**/foo"], "barfoo", false],
  ];
  for (const [patterns, path, want] of cases) {
    it(`${patterns.join(" ")} ${path}`, () => expect(new PatternMatcher(patterns).matches(path)).toBe(want));
  }
  it("reads .dockerignore files as ignorefile.ReadAll does", () => {
    expect(readIgnoreFile("\uFEFF# c\n  /abs/path/  \n!/keep\n\nsub/../x\r\n ! spaced\n")).toEqual(["abs/path", "!keep", "x", "!spaced"]);
  });
  it("refuses a lone !", () => expect(() => new PatternMatcher(["!"])).toThrow(/illegal exclusion pattern/));
});

describe("PatternMatcher: escapes and the regexp moby builds", () => {
  // moby's Pattern.compile: an escape (like a wildcard or a class) makes the pattern a regexp
  // match, so `a\*b` is the name `a*b`; the rest of the pattern is Go regexp syntax.
  const cases: [string[], string, boolean][] = [
    [["a\\*b"], "a*b", true],
    [["a\\*b"], "axb", false],
    [["a\\*b"], "a\\*b", false],
    [["a\\?b"], "a?b", true],
    [["a\\?b"], "axb", false],
    [["\\[x]"], "[x]", true],
    [["\\[x]"], "x", false],
    [["a\\\\b"], "a\\b", true],
    [["a\\.b"], "a.b", true],
    [["a\\.b"], "axb", false],
    [["\\#notes"], "#notes", true],
    [["dir/a\\*b"], "dir/a*b/inner.txt", true],
    [["**/a\\*b"], "x/y/a*b", true],
    [["**/a\\*b"], "x/y/axb", false],
    [["**/a\\*b"], "a*b", true],
    [["a\\*b/**"], "a*b/c", true],
    [["a\\*b/**"], "axb/c", false],
    [["*", "!a\\*b"], "a*b", false],
    [["*", "!a\\*b"], "axb", true],
    // Go's regexp escapes: \d is a digit, \x41 is "A".
    [["a\\d"], "a5", true],
    [["a\\d"], "ad", false],
    [["\\x41"], "A", true],
    // Classes pass through: [^c] negates (it is not an escaped ^).
    [["ab[^c]"], "abd", true],
    [["ab[^c]"], "abc", false],
    [["[a-c]x"], "bx", true],
    [["a.b"], "a.b", true],
    [["a.b"], "axb", false],
    [["a.b*"], "axbc", false],
    [["a+b*"], "a+bc", true],
    [["a$b?"], "a$bc", true],
    [["a{1}b*"], "a{1}bc", true],
    // `?` is one character, not one UTF-16 unit; `*` matches a newline but `**` does not cross one.
    [["a?b"], "a\u{1F600}b", true],
    [["*"], "a\nb", true],
    [["x/**/y"], "x/a\nb/y", false],
    [["x/**/y"], "x/a/b/y", true],
  ];
  for (const [patterns, path, want] of cases) {
    it(`${JSON.stringify(patterns)} ${JSON.stringify(path)}`, () => expect(new PatternMatcher(patterns).matches(path)).toBe(want));
  }
  it("refuses what moby refuses: a trailing backslash, an escape Go's regexp does not know", () => {
    for (const p of ["a\\", "a\\mb", "\\8"]) {
      expect(() => new PatternMatcher([p]), p).toThrow(PatternError);
    }
    try {
      new PatternMatcher(["a\\"]);
    } catch (e) {
      expect((e as PatternError).code).toBe("BAD_PATTERN");
    }
  });
  it("keeps escapes when reading a .dockerignore, and drops a BOM from the first line only", () => {
    expect(readIgnoreFile("a\\*b\n\\#x\n#c\n")).toEqual(["a\\*b", "\\#x"]);
    expect(readIgnoreFile("\uFEFFa\n\uFEFFb\n")).toEqual(["a", "\uFEFFb"]);
  });
  it("trims as Go's TrimSpace does (NEL is space, a BOM is not)", () => {
    expect(goTrimSpace("\u0085 x\u00a0\u3000")).toBe("x");
    expect(goTrimSpace("\uFEFFx")).toBe("\uFEFFx");
    expect(new PatternMatcher(["\u0085a\u0085"]).matches("a")).toBe(true);
  });
});

describe("goRegExp reads Go's regexp syntax", () => {
  const cases: [string, string, boolean][] = [
    ["^a\\x41$", "aA", true],
    ["^a\\x{1F600}$", "a\u{1F600}", true],
    ["^\\101$", "A", true],
    ["^\\Q*.\\E$", "*.", true],
    ["^\\Q*.\\E$", "ab", false],
    ["^[[:digit:]]+$", "42", true],
    ["^[[:^digit:]]$", "4", false],
    ["^\\s$", "\v", false],
    ["^\\s$", "\u00a0", false],
    ["^\\S$", "\v", true],
    ["^[^\\S]$", " ", true],
    ["^[\\d-]$", "-", true],
    ["^.$", "\n", false],
    ["^[^a]$", "\n", true],
    ["^a{2}$", "aa", true],
    ["^a{$", "a{", true],
    ["^\\Aa\\z$", "a", true],
  ];
  for (const [re, s, want] of cases) {
    it(`${re} ${JSON.stringify(s)}`, () => expect(goRegExp(re).test(s)).toBe(want));
  }
  it("refuses what it cannot express or Go would not compile", () => {
    for (const re of ["(?i)a", "\\pL", "[\\p{Greek}]", "\\1", "a\\", "[a", "[z-a]", "[[:nope:]]", "\\é"]) {
      expect(() => goRegExp(re), re).toThrow(PatternError);
    }
  });
});

describe("wildcards in COPY sources", () => {
  it("an escaped metacharacter is not a wildcard; an unescaped one is", () => {
    expect(hasWildcards("st\\*uv")).toBe(false);
    expect(hasWildcards("st\\*u?")).toBe(true);
    expect(goMatch("st\\*u?", "st*uv")).toBe(true);
    expect(goMatch("st\\*u?", "strauv")).toBe(false);
    expect(goMatch("n\\?p[e]", "n?pe")).toBe(true);
    expect(goMatch("n\\?p[e]", "nope")).toBe(false);
    expect(splitWildcards("/app/st\\*u?/file.txt")).toEqual({ dir: "/app", pattern: "st\\*u?/file.txt" });
  });
});

describe("--chmod and --parents parsing", () => {
  it("octal applies as is, symbolic as chmod(1)", () => {
    expect(parseChmod("0755")(0o644, false)).toBe(0o755);
    expect(parseChmod("+x")(0o644, false)).toBe(0o755);
    expect(parseChmod("u=rwX,go=rX")(0o600, false)).toBe(0o644);
    expect(parseChmod("u=rwX,go=rX")(0o700, false)).toBe(0o755);
    expect(parseChmod("u=rwX,go=rX")(0o700, true)).toBe(0o755);
    expect(parseChmod("g=u")(0o640, false)).toBe(0o660);
    expect(parseChmod("u+x,g-r,o=")(0o664, false)).toBe(0o720);
    expect(parseChmod("u+s,+t")(0o755, false)).toBe(0o5755);
    expect(() => parseChmod("99999")).toThrow(/invalid chmod/);
    expect(() => parseChmod("z+q")).toThrow(/invalid chmod/);
  });
  it("splits --parents sources at the /./ pivot", () => {
    expect(parentsPivot("./x/./y/*.txt")).toEqual({ src: "./x", include: "y/*.txt" });
    expect(parentsPivot("src/**/*.txt")).toEqual({ src: "/", include: "src/**/*.txt" });
    expect(parentsPivot("/out/./sub")).toEqual({ src: "/out", include: "sub" });
  });
});
