/**
 * The limits on what an image, archive or tarball from outside may make Strata read or write
 * (issue 15, item 3), each overridable by an environment variable, read when it is checked so
 * that a spec or a user can set it per command. Over a limit is LIMIT_EXCEEDED (exit 4); the
 * message names the limit, the file or digest, and the variable that raises it. The caller
 * removes what it had written (a snapshot being unpacked, a staged blob), so disk usage goes
 * back to where it was.
 *
 * Why these defaults (RELIABILITY.md cases 9 and 44):
 * - A layer's bytes (the uncompressed tar): 64 GiB. A big legitimate layer (case 44's 10 GiB
 *   sparse file, which a tar holds as 10 GiB of zeros) is far below it; what it stops is a
 *   stream that never ends. It is a backstop: bombs are caught by the ratio long before.
 * - Decompression ratio: 200 (uncompressed bytes per compressed byte), checked only once a
 *   layer has decompressed to 256 MiB. Real layers compress 2–10:1 and rarely past 50:1, and
 *   a small layer of zero-filled files may compress 1000:1 harmlessly, hence the floor. gzip
 *   of zeros reaches ~1030:1 and zstd far more (the 131,588 bytes grew to 8.4 GB,
 *   ~64,000:1), so a 1 MiB bomb is refused after 256 MiB at most, whatever its codec. The
 *   price: a layer that is mostly one huge zero file (case 44's sparse file) passes when it
 *   is made by RUN or imported uncompressed (no decompression, no ratio), but the same layer
 *   compressed is refused at pull, load or import unless STRATA_MAX_LAYER_RATIO is raised
 *   (0 turns the ratio check off). The checks count bytes as they come, so a bomb never
 *   gets further than the limit.
 * - Entries per layer: 500,000. Case 44's 100,000 files and the largest layers we know of
 *   (a TeX Live or node_modules layer, ~200k–300k files) pass; case 9's 10⁶ do not.
 * - A JSON document (a manifest, an index, a config) and an archive's manifest.json or
 *   index.json: 4 MiB, containerd's limit for manifests and what the registry client reads.
 *   They are parsed in memory, so this bounds memory.
 * - A git build context (engine/input/git-run.ts): 8 GiB fetched (the objects under .git) and
 *   8 GiB checked out (the blobs of the tree, summed before anything is checked out), 500,000
 *   files in the tree (as a layer's entries: the context becomes one), and 60 s without
 *   progress (as the registry's timeout): a monorepo of a few GiB passes; a hung server, a
 *   small pack of a huge tree, or an endless stream do not.
 */
import { StrataError } from "../errors/error.ts";

interface LimitSpec {
  /** The environment variable that overrides it. */
  readonly env: string;
  readonly fallback: number;
  /** What it bounds, for messages ("entries per layer"). */
  readonly what: string;
}

export const LIMITS = {
  layerBytes: { env: "STRATA_MAX_LAYER_BYTES", fallback: 64 * 2 ** 30, what: "bytes per layer (uncompressed)" },
  layerRatio: { env: "STRATA_MAX_LAYER_RATIO", fallback: 200, what: "decompression ratio per layer" },
  ratioFloor: { env: "STRATA_LAYER_RATIO_FLOOR", fallback: 256 * 2 ** 20, what: "bytes a layer decompresses to before the ratio is checked" },
  layerEntries: { env: "STRATA_MAX_LAYER_ENTRIES", fallback: 500_000, what: "entries per layer" },
  documentBytes: { env: "STRATA_MAX_DOCUMENT_BYTES", fallback: 4 * 2 ** 20, what: "bytes per manifest, index or config" },
  archiveJsonBytes: { env: "STRATA_MAX_ARCHIVE_JSON_BYTES", fallback: 4 * 2 ** 20, what: "bytes of an archive's manifest.json or index.json" },
  gitBytes: { env: "STRATA_MAX_GIT_BYTES", fallback: 8 * 2 ** 30, what: "bytes a git context fetches, or checks out" },
  gitFiles: { env: "STRATA_MAX_GIT_FILES", fallback: 500_000, what: "files in a git context's tree" },
  gitTimeoutMs: { env: "STRATA_GIT_TIMEOUT_MS", fallback: 60_000, what: "milliseconds a git command of a git context may go without progress" },
} as const satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof LIMITS;

/** The limit's value now: its variable when set to a number (0 means no limit), else the default. */
export function limit(name: LimitName): number {
  const spec = LIMITS[name];
  const raw = process.env[spec.env];
  if (raw === undefined || raw.trim() === "") return spec.fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new StrataError("USAGE", `${spec.env}=${raw}: not a number of ${spec.what}`);
  return n === 0 ? Number.POSITIVE_INFINITY : n;
}

export class LimitError extends StrataError {
  readonly limit: LimitName;
  /** `subject`: the file, digest or entry; `found`: what went over, in words. */
  constructor(name: LimitName, subject: string, found: string) {
    const spec = LIMITS[name];
    super("LIMIT_EXCEEDED", `${subject}: ${found}: over the limit of ${spec.what} (${spec.env}=${limit(name)}); refused, nothing kept; set ${spec.env} higher (0: no limit) to accept it`);
    this.limit = name;
  }
}

/**
 * Counts a decompression's bytes and refuses it once the output passes the layer size limit,
 * or passes the ratio floor at more than the ratio limit times the input.
 */
export class RatioGuard {
  readonly #subject: string;
  readonly #maxBytes = limit("layerBytes");
  readonly #maxRatio = limit("layerRatio");
  readonly #floor = limit("ratioFloor");
  in = 0;
  out = 0;
  constructor(subject: string) {
    this.#subject = subject;
  }

  /** Counts compressed bytes. */
  input(n: number): void {
    this.in += n;
  }

  /** Counts decompressed bytes; throws LimitError when over. */
  output(n: number): void {
    this.out += n;
    if (this.out > this.#maxBytes) throw new LimitError("layerBytes", this.#subject, `decompresses to more than ${this.#maxBytes} bytes`);
    if (this.out > this.#floor && this.out > this.#maxRatio * Math.max(this.in, 1)) {
      throw new LimitError("layerRatio", this.#subject, `${this.in} compressed bytes decompress to more than ${this.out}, over ${this.#maxRatio}:1`);
    }
  }
}
