/**
 * What kind of remote an ADD source names (BuildKit's isHTTPSource and
 * gitutil.ParseGitRef, as far as a string tells), and what `ADD --checksum`
 * accepts for it: one source only, a Git commit SHA (whole or a prefix,
 * hex) for a Git source, a `sha256:<hex>` digest for an HTTP(S) one, nothing
 * for a local path (BuildKit's dispatchCopy: "checksum requires HTTP(S) or Git sources").
 */

export function isHttpSource(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/**
 * `git@host:`, `git://`, `ssh://`, `github.com/…`, and http(s) URLs ending in
 * `.git` (before an optional `#ref:subdir` fragment).
 */
export function isGitSource(src: string): boolean {
  if (/^(git@[^:]+:|git:\/\/|ssh:\/\/|github\.com\/)/i.test(src)) return true;
  if (!isHttpSource(src)) return false;
  try {
    return new URL(src).pathname.endsWith(".git");
  } catch {
    return false;
  }
}

/** Why `--checksum=<checksum>` does not fit these (expanded) sources, or undefined when it does. */
export function checksumProblem(checksum: string, sources: readonly string[]): { message: string; hint: string } | undefined {
  if (sources.length !== 1) return { message: "checksum can't be specified for multiple sources", hint: "give each checksummed source its own ADD" };
  const src = sources[0] as string;
  if (isGitSource(src)) {
    if (/^[0-9a-f]{1,64}$/.test(checksum)) return undefined;
    return { message: `invalid --checksum=${checksum} for a Git source`, hint: "use the commit SHA (whole or a prefix, lower-case hex)" };
  }
  if (isHttpSource(src)) {
    if (/^(sha256|sha384|sha512):[0-9a-f]+$/.test(checksum)) return undefined;
    return { message: `invalid --checksum=${checksum}`, hint: "use sha256:<hex digest> for an HTTP(S) source" };
  }
  return { message: "checksum requires HTTP(S) or Git sources", hint: `${src} is a local path: drop --checksum` };
}
