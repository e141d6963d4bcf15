/**
 * History `created_by` strings, worded as BuildKit writes them so that
 * `strata history` reads like `docker history`.
 */

/** Go's %q of a string slice: ["a" "b"]. */
export function goQuoteSlice(args: readonly string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(" ")}]`;
}

export function runCreatedBy(argv: readonly string[]): string {
  return `RUN ${argv.join(" ")} # buildkit`;
}

export function copyCreatedBy(keyword: "COPY" | "ADD", sources: readonly string[], dest: string): string {
  return `${keyword} ${[...sources, dest].join(" ")} # buildkit`;
}
