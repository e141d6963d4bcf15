/**
 * A Pike VM for glob programs (glob.ts): finds the leftmost-first match, the
 * one Go's regexp (and a backtracking engine) would report, in
 * O(input × program) time with no backtracking, so no pattern is
 * catastrophic. One matcher is reused across the searches of one expansion.
 */

import { cpWidth } from "./chars.ts";
import { type GlobProgram, OP_ANY, OP_CHAR, OP_JMP, OP_MATCH, OP_SPLIT } from "./glob.ts";

const NEWLINE = 0x0a;

export interface MatchSpan {
  /** UTF-16 offsets, half-open. */
  start: number;
  end: number;
}

export class GlobMatcher {
  private readonly prog: GlobProgram;
  private curPc: Int32Array;
  private curStart: Int32Array;
  private nextPc: Int32Array;
  private nextStart: Int32Array;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;

  constructor(prog: GlobProgram) {
    const n = prog.size;
    this.prog = prog;
    this.curPc = new Int32Array(n);
    this.curStart = new Int32Array(n);
    this.nextPc = new Int32Array(n);
    this.nextStart = new Int32Array(n);
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(2 * n + 2);
  }

  /**
   * The first match at or after `from` (only at `from` when `anchored`),
   * or null.
   */
  search(input: string, from: number, anchored: boolean): MatchSpan | null {
    const { op, x } = this.prog;
    const len = input.length;
    let matchStart = -1;
    let matchEnd = -1;
    let pos = from;
    let curLen = 0;
    let curGen = ++this.gen;
    for (;;) {
      if (matchStart < 0 && (!anchored || pos === from)) {
        curLen = this.add(this.curPc, this.curStart, curLen, curGen, 0, pos);
      }
      if (curLen === 0) break;
      const cp = pos < len ? (input.codePointAt(pos) as number) : -1;
      const nextGen = ++this.gen;
      let nextLen = 0;
      for (let i = 0; i < curLen; i++) {
        const pc = this.curPc[i] as number;
        const start = this.curStart[i] as number;
        const o = op[pc] as number;
        if (o === OP_MATCH) {
          matchStart = start;
          matchEnd = pos;
          break; // lower-priority threads are cut
        }
        if (o === OP_CHAR ? cp === x[pc] : o === OP_ANY && cp >= 0 && cp !== NEWLINE) {
          nextLen = this.add(this.nextPc, this.nextStart, nextLen, nextGen, pc + 1, start);
        }
      }
      if (pos >= len) break;
      pos += cpWidth(cp);
      const pcs = this.curPc;
      const starts = this.curStart;
      this.curPc = this.nextPc;
      this.curStart = this.nextStart;
      this.nextPc = pcs;
      this.nextStart = starts;
      curLen = nextLen;
      curGen = nextGen;
    }
    return matchStart < 0 ? null : { start: matchStart, end: matchEnd };
  }

  /** Adds the thread at `pc0` and its epsilon closure, in priority order. */
  private add(
    pcs: Int32Array,
    starts: Int32Array,
    length: number,
    gen: number,
    pc0: number,
    start: number,
  ): number {
    const { op, x, y } = this.prog;
    const mark = this.mark;
    const stack = this.stack;
    let len = length;
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp] as number;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const o = op[pc] as number;
      if (o === OP_JMP) {
        stack[sp++] = x[pc] as number;
      } else if (o === OP_SPLIT) {
        stack[sp++] = y[pc] as number;
        stack[sp++] = x[pc] as number;
      } else {
        pcs[len] = pc;
        starts[len] = start;
        len++;
      }
    }
    return len;
  }
}
