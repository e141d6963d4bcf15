// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are Dockerfile words, ${…} is their syntax.
import { describe, expect, it } from "vitest";
import { prng } from "../helpers/prng.ts";
import { expandWords, expandWord, type ShellEnv } from "../../compiler/shell/index.ts";


const ALPHABET = ["$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "\\", "'", '"', "*", "`", " ", "A", "B", "x", "y", "1", "@", "\n", "é", "😀"];

const env: ShellEnv = (name) => {
  if (name === "A") return "a*b x";
  if (name === "B") return "";
  if (name === "x") return "\\$A";
  return undefined;
};

function randomWord(next: () => number): string {
  const len = Math.floor(next() * 24);
  let s = "";
  for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

describe("fuzz: expansion never throws", () => {
  const next = prng(0x5eed);
  const words = Array.from({ length: 3000 }, () => randomWord(next));

  it("expands 3000 random words with both escapes, and both entry points agree", () => {
    for (const word of words) {
      for (const escapeToken of ["\\", "`"] as const) {
        let one: ReturnType<typeof expandWord> | undefined;
        let many: ReturnType<typeof expandWords> | undefined;
        expect(() => {
          one = expandWord(word, env, { escape: escapeToken });
          many = expandWords(word, env, { escape: escapeToken });
        }, JSON.stringify(word)).not.toThrow();
        if (!one || !many) continue;
        expect(many.ok, JSON.stringify(word)).toBe(one.ok);
        if (one.ok && many.ok) {
          expect(many.used).toEqual(one.used);
          expect(many.unset).toEqual(one.unset);
          for (const u of one.unset) expect(one.used).toContain(u);
        } else if (!one.ok) {
          expect(one.offset).toBeGreaterThanOrEqual(0);
          expect(one.offset).toBeLessThanOrEqual(word.length);
          expect(one.message.length).toBeGreaterThan(0);
        }
      }
    }
  });
});
