/**
 * Word splitting as BuildKit's wordsStruct: unquoted literal characters and
 * the values of `$` expansions split on whitespace; quoted text and escaped
 * characters never do. An empty word is dropped (`""` alone gives no word).
 */

import { isSpace } from "./chars.ts";

export class WordSplitter {
  private word = "";
  private inWord = false;
  private readonly words: string[] = [];

  /** A character that splits on whitespace. */
  addChar(cp: number, text: string): void {
    if (isSpace(cp)) {
      if (this.inWord && this.word.length !== 0) {
        this.words.push(this.word);
        this.word = "";
        this.inWord = false;
      }
    } else {
      this.word += text;
      this.inWord = true;
    }
  }

  /** The value of an expansion: each character splits on whitespace. */
  addString(text: string): void {
    let i = 0;
    while (i < text.length) {
      const cp = text.codePointAt(i) as number;
      const w = cp > 0xffff ? 2 : 1;
      this.addChar(cp, w === 1 ? text[i] as string : text.slice(i, i + 2));
      i += w;
    }
  }

  /** Quoted or escaped text: kept as is, and starts a word even if empty. */
  addRaw(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = "";
      this.inWord = false;
    }
    return this.words;
  }
}
