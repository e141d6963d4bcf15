/**
 * History `created_by` strings, worded as BuildKit writes them (dockerfile2llb's
 * `commitToHistory` messages) so that `strata history` reads like `docker
 * history`: `%q` where BuildKit formats with `%q` (CMD, ENTRYPOINT,
 * HEALTHCHECK), `%v` where it uses `%v` (SHELL, VOLUME, EXPOSE's port map).
 */
import { goQuote, goQuoteRune } from "../dockerfile/go-quote.ts";
import type { CopyOp } from "../ir/graph.ts";
import type { Healthcheck } from "../ir/image-config.ts";
import { isSecretName } from "../ir/secret-names.ts";

/** Go's %q of a string slice: ["a" "b"], each element as strconv.Quote writes it. */
export function goQuoteSlice(args: readonly string[]): string {
  return `[${args.map(goQuote).join(" ")}]`;
}

/** Go's %v of a string slice: [a b]. */
export function goSlice(args: readonly string[]): string {
  return `[${args.join(" ")}]`;
}

/** Go's %v of a set (map[string]struct{}): fmt prints the keys sorted, each once. */
export function goSet(keys: readonly string[]): string {
  return `map[${[...new Set(keys)].sort().map((k) => `${k}:{}`).join(" ")}]`;
}

/** Go's time.Duration.String of integer nanoseconds: 0s, 1.5s, 500ms, 1m30s, 1h0m0s. */
export function goDuration(ns: number): string {
  let u = BigInt(Math.round(Math.abs(ns)));
  const sign = ns < 0 ? "-" : "";
  if (u === 0n) return "0s";
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, "0").replace(/0+$/, "");
    return s === "" ? "" : `.${s}`;
  };
  if (u < 1_000_000_000n) {
    const [unit, digits, scale] = u < 1000n ? ["ns", 0, 1n] : u < 1_000_000n ? ["µs", 3, 1000n] : ["ms", 6, 1_000_000n];
    return `${sign}${u / scale}${digits === 0 ? "" : frac(u % scale, digits)}${unit}`;
  }
  const secs = `${(u / 1_000_000_000n) % 60n}${frac(u % 1_000_000_000n, 9)}s`;
  u /= 60_000_000_000n;
  if (u === 0n) return `${sign}${secs}`;
  const mins = `${u % 60n}m${secs}`;
  u /= 60n;
  return u === 0n ? `${sign}${mins}` : `${sign}${u}h${mins}`;
}

/**
 * BuildKit's `HEALTHCHECK %q` of the config struct (Test, Interval, Timeout,
 * StartPeriod, StartInterval, Retries): durations by their String(), the
 * retry count as %q formats an int, a quoted rune ('\x03').
 */
export function healthcheckCreatedBy(hc: Healthcheck): string {
  const d = (ns: number | undefined): string => goQuote(goDuration(ns ?? 0));
  const times = [hc.Interval, hc.Timeout, hc.StartPeriod, hc.StartInterval].map(d).join(" ");
  return `HEALTHCHECK &{${goQuoteSlice(hc.Test)} ${times} ${goQuoteRune(hc.Retries ?? 0)}}`;
}

/**
 * BuildKit's RUN message (dockerfile2llb's runCommandString): the stage's
 * declared build args with the values the step sees, `|N K=V …`, then the
 * command. One difference, on purpose: an arg whose name the secrets rule
 * flags (SecretsUsedInArgOrEnv, ir/secret-names.ts) is left out, name and
 * value, so a `--build-arg TOKEN=…` is written into no blob
 * (specs/reliability/secrets.spec.ts).
 */
export function runCreatedBy(argv: readonly string[], args: readonly (readonly [string, string])[] = []): string {
  const shown = args.filter(([k]) => !isSecretName(k)).map(([k, v]) => `${k}=${v}`);
  return `RUN ${[...(shown.length > 0 ? [`|${shown.length}`, ...shown] : []), ...argv].join(" ")} # buildkit`;
}

/** BuildKit's COPY/ADD message: the keyword, --parents, --chown and --chmod as given (expanded), the sources, the destination. */
export function copyCreatedBy(keyword: "COPY" | "ADD", op: Pick<CopyOp, "sources" | "chown" | "chmod" | "parents">, dest: string): string {
  const flags = [...(op.parents ? ["--parents"] : []), ...(op.chown ? [`--chown=${op.chown}`] : []), ...(op.chmod ? [`--chmod=${op.chmod}`] : [])];
  return `${[keyword, ...flags, ...op.sources, dest].join(" ")} # buildkit`;
}
