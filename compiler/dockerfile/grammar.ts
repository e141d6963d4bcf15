/**
 * The Dockerfile grammar over line tokens, with no embedded actions:
 *
 *   dockerfile  := Bom? (CommentLine | BlankLine | instruction)*
 *   instruction := (TextLine | ContinuedLine (CommentLine | BlankLine | ContinuedLine)* TextLine?)
 *                  HeredocBody*
 *
 * The CST it builds is walked by build-ast.ts. One parser instance per escape
 * character, built lazily and reused.
 */
import { CstParser, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import { type DockerfileTokens, tokensFor } from "./lexer.ts";

class DockerfileParser extends CstParser {
  readonly t: DockerfileTokens;
  dockerfile!: () => CstNode;
  instruction!: () => CstNode;

  constructor(t: DockerfileTokens) {
    super(t.all, { recoveryEnabled: true, nodeLocationTracking: "none", skipValidations: true });
    this.t = t;
    this.RULE("dockerfile", () => {
      const $ = this;
      $.OPTION(() => $.CONSUME(t.Bom));
      $.MANY(() => {
        $.OR([
          { ALT: () => $.CONSUME(t.CommentLine) },
          { ALT: () => $.CONSUME(t.BlankLine) },
          { ALT: () => $.SUBRULE($.instruction) },
        ]);
      });
    });
    this.RULE("instruction", () => {
      const $ = this;
      $.OR1([
        { ALT: () => $.CONSUME1(t.TextLine) },
        {
          ALT: () => {
            $.CONSUME(t.ContinuedLine);
            $.MANY(() => {
              $.OR2([
                { ALT: () => $.CONSUME2(t.CommentLine) },
                { ALT: () => $.CONSUME2(t.BlankLine) },
                { ALT: () => $.CONSUME2(t.ContinuedLine) },
              ]);
            });
            $.OPTION(() => $.CONSUME2(t.TextLine));
          },
        },
      ]);
      $.MANY2(() => $.CONSUME(t.HeredocBody));
    });
    this.performSelfAnalysis();
  }
}

const parsers = new Map<string, DockerfileParser>();

export interface CstResult {
  readonly cst: CstNode;
  readonly tokens: readonly IToken[];
  readonly errors: readonly IRecognitionException[];
  readonly t: DockerfileTokens;
}

/** Lexes and parses `text` with the lexer/parser for `escape`. */
export function parseCst(text: string, esc: string): CstResult {
  let p = parsers.get(esc);
  if (p === undefined) {
    p = new DockerfileParser(tokensFor(esc));
    parsers.set(esc, p);
  }
  const lexed = p.t.lexer.tokenize(text);
  p.input = lexed.tokens;
  const cst = p.dockerfile();
  return { cst, tokens: lexed.tokens, errors: p.errors, t: p.t };
}
