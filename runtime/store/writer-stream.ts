import { Writable } from "node:stream";
import type { ContentWriter } from "./content.ts";

/**
 * A content writer as a Writable, for producers that write to streams (the
 * layer tar writer, runtime/layer/write-layer.ts). Each chunk goes to
 * `writer.write` in order; ending the stream does not commit: the caller
 * commits with what it expects (the diffID it computed), or aborts.
 */
export function writerStream(writer: ContentWriter): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      writer.write(chunk).then(() => callback(), callback);
    },
  });
}
