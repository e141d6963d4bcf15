/**
 * verifiedChunks (store/verified-read.ts): a blob read checked against its digest as it passes.
 * Without the blob's size every chunk waits for the next one; with it, the chunks before the size
 * go on at once (the push compresses the first piece while the second is read) and only the one
 * that reaches it waits for the hash, so a corrupt blob never comes out whole.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifiedChunks } from "../../runtime/store/verified-read.ts";

const parts = ["first ", "second ", "third"].map((s) => Buffer.from(s));
const whole = Buffer.concat(parts);
const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A source of `parts` that hands out each only when `release` is called; `asked` counts the reads so far. */
function gated() {
  const waiting: (() => void)[] = [];
  const state = { asked: 0 };
  async function* source(): AsyncGenerator<Uint8Array> {
    for (const p of parts) {
      state.asked++;
      await new Promise<void>((r) => waiting.push(r));
      yield p;
    }
  }
  const release = async () => {
    while (waiting.length === 0) await new Promise((r) => setImmediate(r));
    (waiting.shift() as () => void)();
  };
  return { source, state, release };
}

describe("verifiedChunks", () => {
  it("without the size: a chunk comes out only once the next has arrived", async () => {
    const g = gated();
    const it = verifiedChunks(g.source(), digestOf(whole))[Symbol.asyncIterator]();
    const first = it.next();
    await g.release();
    await g.release();
    expect((await first).value).toEqual(parts[0]);
    expect(g.state.asked).toBe(2);
  });

  it("with the size: chunks before it come out at once, the last after the hash", async () => {
    const g = gated();
    const it = verifiedChunks(g.source(), digestOf(whole), whole.length)[Symbol.asyncIterator]();
    const first = it.next();
    await g.release();
    expect((await first).value).toEqual(parts[0]);
    expect(g.state.asked).toBe(1);
    const second = it.next();
    await g.release();
    expect((await second).value).toEqual(parts[1]);
    const rest: Uint8Array[] = [];
    const last = (async () => {
      for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    })();
    await g.release();
    await last;
    expect(Buffer.concat(rest)).toEqual(parts[2]);
  });

  it("with the size, a blob that does not hash to its digest fails before its last chunk", async () => {
    const seen: Uint8Array[] = [];
    const bad = async function* () {
      yield* parts.slice(0, 2);
      yield Buffer.from("thirD");
    };
    await expect(
      (async () => {
        for await (const c of verifiedChunks(bad(), digestOf(whole), whole.length)) seen.push(c);
      })(),
    ).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    expect(seen).toEqual(parts.slice(0, 2));
  });
});
