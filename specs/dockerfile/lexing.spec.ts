import { describe, expect, it } from "vitest";
import { goQuote } from "../../compiler/dockerfile/go-quote.ts";
import { dumpSexp } from "../../compiler/dockerfile/sexp.ts";
import { errors, parse } from "./helpers.ts";

const dump = (t: string) => dumpSexp(parse(t).ast);

describe("lines, continuations, directives", () => {
  it("handles CRLF and a BOM", () => {
    expect(dump("\ufeffFROM a\r\nRUN echo \\\r\n  b\r\n")).toBe('(from "a")\n(run "echo   b")\n');
  });
  it("reads directives only at the top", () => {
    const r = parse("# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=A,B;error=true\nFROM a\n");
    expect(r.ast.escape).toBe("`");
    expect(r.ast.directives.map((d) => [d.name, d.value])).toEqual([
      ["syntax", "docker/dockerfile:1"],
      ["escape", "`"],
      ["check", "skip=A,B;error=true"],
    ]);
    expect(parse("FROM a\n# escape=`\n").ast.escape).toBe("\\");
    expect(parse("# hello\n# escape=`\nFROM a\n").ast.escape).toBe("\\");
  });
  it("rejects a repeated directive and a bad escape", () => {
    expect(errors("# escape=`\n# escape=\\\nFROM a\n")[0]?.code).toBe("DF003");
    expect(errors("# escape=x\nFROM a\n")[0]?.code).toBe("DF004");
  });
  it("continues with the backtick escape", () => {
    expect(dump("# escape=`\nFROM a\nRUN dir c:\\ `\n  /b\n")).toBe('(from "a")\n(run "dir c:\\\\   /b")\n');
  });
  it("does not continue a line ending in an escaped escape", () => {
    expect(dump("ENV C x\\\\\nENV D y\n")).toBe('(env "C" "x\\\\\\\\" "")\n(env "D" "y" "")\n');
  });
  it("drops comments and blank lines inside a continuation, warning on blanks", () => {
    const r = parse("RUN a \\\n# c\n\n  b\n");
    expect(dumpSexp(r.ast)).toBe('(run "a   b")\n');
    expect(r.diagnostics.map((d) => d.code)).toContain("DF010");
  });
  it("rejects physical lines over 65,535 bytes", () => {
    expect(errors(`FROM a\nRUN echo ${"x".repeat(70000)}\n`).map((d) => d.code)).toContain("DF005");
    expect(errors(`FROM a\nRUN echo ${"x".repeat(65000)}\n`)).toEqual([]);
  });
  it("dumps unknown and empty instructions like BuildKit", () => {
    expect(dump("foo bar\nRUN\n")).toBe('(foo "")\n(run)\n');
  });
});

describe("JSON form", () => {
  it("reads only the first JSON value, as BuildKit's json.Decoder does: text after the array is ignored", () => {
    expect(dump('ENTRYPOINT ["x"] # comment\n')).toBe('(entrypoint "x")\n');
    expect(dump('CMD ["a", "b"]junk\nRUN ["c"] ["d"]\nSHELL ["/bin/sh", "-c"] \n')).toBe('(cmd "a" "b")\n(run "c")\n(shell "/bin/sh" "-c")\n');
    expect(dump('COPY ["a b", "/c"] # x\n')).toBe('(copy "a b" "/c")\n');
    // Strings may hold brackets; an array that never closes is still the shell form.
    expect(dump('CMD ["]", "[x"] y\nCMD ["a" y\n')).toBe('(cmd "]" "[x")\n(cmd "[\\"a\\" y")\n');
    expect(errors('CMD ["a", 1] # x\n').map((d) => d.code)).toEqual(["DF007"]);
  });
});

describe("heredocs", () => {
  it("reads several heredocs with fd, chomp and quoting", () => {
    const r = parse("FROM a\nRUN <<EOF 3<<-'END' cat\nx \\\nEOF\n\ty\n\tEND\nRUN b\n");
    expect(dumpSexp(r.ast)).toBe('(from "a")\n(run "<<EOF 3<<-\'END\' cat")\n(run "b")\n');
    const hs = r.ast.nodes[1]?.heredocs ?? [];
    expect(hs.map((h) => [h.name, h.expand, h.chomp, h.fd, h.content])).toEqual([
      ["EOF", true, false, undefined, "x \\\n"],
      ["END", false, true, 3, "\ty\n"],
    ]);
    const run = r.instructions[1];
    expect(run?.kind === "RUN" && run.heredocs[1]?.content).toBe("y\n");
  });
  it("reads heredocs for COPY and under ONBUILD, not for JSON or other instructions", () => {
    expect(parse('COPY <<"EOF" /x\nhi\nEOF\n').ast.nodes[0]?.heredocs[0]).toMatchObject({ name: "EOF", expand: false, content: "hi\n" });
    expect(parse("ONBUILD RUN <<EOF\nhi\nEOF\n").ast.nodes.length).toBe(1);
    expect(dump('RUN ["a", "<<EOF"]\nEOF\n')).toBe('(run "a" "<<EOF")\n(eof "")\n');
    expect(dump("ENV a <<EOF\nEOF\n")).toBe('(env "a" "<<EOF" "")\n(eof "")\n');
  });
  it("allows white space between << and the delimiter, as BuildKit's shell lexer does", () => {
    const r = parse("FROM a\nRUN <<  EOF\necho hi\nEOF\nCOPY <<\t'X' /x\nbody\nX\nRUN b\n");
    expect(errors("FROM a\nRUN <<  EOF\necho hi\nEOF\n")).toEqual([]);
    expect(dumpSexp(r.ast)).toBe('(from "a")\n(run "<<  EOF")\n(copy "<<" "\'X\'" "/x")\n(run "b")\n');
    expect(r.ast.nodes[1]?.heredocs.map((h) => [h.name, h.expand, h.content])).toEqual([["EOF", true, "echo hi\n"]]);
    expect(r.ast.nodes[2]?.heredocs.map((h) => [h.name, h.expand, h.content])).toEqual([["X", false, "body\n"]]);
  });
  it("reports an unterminated heredoc", () => {
    expect(errors("FROM a\nRUN <<EOF\nhi\n").map((d) => d.code)).toEqual(["DF006"]);
  });
});

describe("Go quoting", () => {
  it("quotes like strconv.Quote", () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote("\u0000\u0007\b\f\n\r\t\v\u001b\u007f")).toBe('"\\x00\\a\\b\\f\\n\\r\\t\\v\\x1b\\x7f"');
    expect(goQuote("♥ 한국어 é")).toBe('"♥ 한국어 é"');
    expect(goQuote("\u00a0\u200b\u{e0001}")).toBe('"\\u00a0\\u200b\\U000e0001"');
  });
});
