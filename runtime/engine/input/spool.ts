/**
 * A stream copied into a new private file, refused past the layer size limit (layer/limits.ts):
 * how stdin and a downloaded context reach the disk before they are told apart and extracted.
 */
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { LimitError, limit } from "../../layer/limits.ts";

/** Copies `input` into `path` (created, mode 0600); `subject` names it when it is too big. */
export async function spool(input: AsyncIterable<Uint8Array>, path: string, subject: string): Promise<void> {
  const max = limit("layerBytes");
  const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  let size = 0;
  try {
    for await (const chunk of input) {
      size += chunk.length;
      if (size > max) throw new LimitError("layerBytes", subject, `more than ${max} bytes`);
      if (!out.write(chunk)) await new Promise<void>((done) => out.once("drain", () => done()));
    }
  } finally {
    out.end();
    await finished(out);
  }
}
