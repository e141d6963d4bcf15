import { describe, expect, it } from "vitest";
import { parseChmod } from "../../runtime/engine/exec/copy/chmod.ts";
import { parentsPivot } from "../../runtime/engine/context/select.ts";
import { goMatch, PatternMatcher, readIgnoreFile, splitWildcards } from "../../compiler/patterns/pattern-matcher.ts";

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
