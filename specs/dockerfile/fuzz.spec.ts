import { describe, expect, it } from "vitest";
import { prng } from "../helpers/prng.ts";
import { dumpSexp } from "../../compiler/dockerfile/sexp.ts";
import { caseDirs, parse, readCase } from "./helpers.ts";


const PIECES = [
  "FROM ", "RUN ", "COPY ", "ADD ", "ONBUILD ", "HEALTHCHECK ", "ENV ", "LABEL ", "ARG ", "SHELL ", "CMD ", "VOLUME ",
  "--mount=type=cache,target=/x ", "--from=a ", "--", "--chmod=", "<<EOF", "<<-'E'", "3<<X", "EOF", "\n", "\r\n", "\\\n",
  "`\n", "\\", "`", "#", "# escape=`\n", "# syntax=x\n", '["a", "b"]', "[", "]", '"', "'", "=", " ", "\t", "a", "b=c",
  "\ufeff", "\u00a0", "한", "\u0000", "NONE", "CMD", "AS", "$X", "$" + "{Y:-z}",
];

describe("fuzz", () => {
  const rnd = prng(0x5eed);
  const corpus = caseDirs("testfiles").map((n) => readCase("testfiles", n, "Dockerfile"));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

  function randomDoc(): string {
    let s = "";
    const n = 1 + Math.floor(rnd() * 40);
    for (let i = 0; i < n; i++) s += pick(PIECES);
    return s;
  }
  function mutate(src: string): string {
    let s = src;
    const edits = 1 + Math.floor(rnd() * 6);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(rnd() * (s.length + 1));
      const op = rnd();
      if (op < 0.4) s = s.slice(0, at) + pick(PIECES) + s.slice(at);
      else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
      else s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + s.slice(at + 1);
    }
    return s;
  }

  it("never throws and keeps every span inside the text (2000 inputs)", () => {
    for (let i = 0; i < 2000; i++) {
      const text = i % 2 === 0 || corpus.length === 0 ? randomDoc() : mutate(pick(corpus));
      let r: ReturnType<typeof parse>;
      try {
        r = parse(text);
        dumpSexp(r.ast);
      } catch (e) {
        throw new Error(`input ${i} threw: ${(e as Error).stack}\n--- input ---\n${JSON.stringify(text)}`);
      }
      for (const d of r.diagnostics) {
        const ok = d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length;
        if (!ok) throw new Error(`input ${i}: span ${JSON.stringify(d.span)} out of ${text.length} for ${d.code}: ${JSON.stringify(text)}`);
      }
      for (const n of r.ast.nodes) {
        expect(n.span.start >= 0 && n.span.end <= text.length).toBe(true);
      }
    }
  });
});
