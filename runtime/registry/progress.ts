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

