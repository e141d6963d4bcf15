import { open } from "node:fs/promises";

/**
 * A whole file of at most `max` bytes (a profile, an env file: small documents a user names),
 * or undefined when it is larger: never more than max + 1 bytes are read.
 */
export async function readBounded(path: string, max: number): Promise<Buffer | undefined> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(max + 1);
    let off = 0;
    for (let n = 1; n > 0 && off < buf.length; off += n) n = (await fh.read(buf, off, buf.length - off, off)).bytesRead;
    return off > max ? undefined : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
