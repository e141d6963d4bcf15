/**
 * Per-layer progress lines on stderr, docker's words: `abcdef012345: Pulling fs layer`,
 * `Download complete`, `Pull complete`, `Pushed`, `Layer already exists`, `Mounted from`.
 */
export type Log = (line: string) => void;

export const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);
export const quietLog: Log = () => undefined;

export function short(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

export function mb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}

/** Runs `fn` over `items`, at most `width` at a time, in order of start. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
