/**
 * Validators for image-config values that BuildKit checks while converting a Dockerfile:
 * EXPOSE ports, STOPSIGNAL signals and `--chmod` modes. Pure functions returning a result
 * (never throwing), shared by the Dockerfile lowering and the image.ts builder (compiler/ir so
 * stdlib may import it). Each follows the Go code docker builds with:
 * - ports: BuildKit's dockerfile2llb port parser (`[ip:][hostPort:]port[-end][/proto]`);
 * - signals: moby/sys `signal.ParseSignal` (Linux signal map);
 * - modes: dockerfile2llb's `--chmod` check (octal ≤ 07777, else a chmod(1) symbolic mode).
 */

/** The outcome of a validator: the parsed value, or a one-line message saying what is wrong. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(message: string): Checked<T> => ({ ok: false, message });

// ---------------------------------------------------------------------------------------------
// EXPOSE

const PROTOCOLS = new Set(["tcp", "udp", "sctp"]);

/** Go's strconv.ParseInt(s, 10, 0) limited to 0–65535, with BuildKit's wording of the failure. */
function portNumber(raw: string): Checked<number> {
  if (raw === "") return bad("value is empty");
  if (!/^[+-]?[0-9]+$/.test(raw)) return bad("invalid syntax");
  const n = Number(raw);
  if (n < 0 || n > 65535) return bad("value out of range (0–65535)");
  return ok(n);
}

/** `start[-end]` as BuildKit's parsePortRange: the part after the first `-` is the end. */
function portRange(raw: string): Checked<readonly [number, number]> {
  if (raw === "") return bad("empty string specified for ports");
  const dash = raw.indexOf("-");
  const start = dash < 0 ? raw : raw.slice(0, dash);
  const end = dash < 0 ? undefined : raw.slice(dash + 1);
  const s = portNumber(start);
  if (!s.ok) return bad(`invalid start port '${start}': ${s.message}`);
  if (end === undefined || end === start) return ok([s.value, s.value]);
  const e = portNumber(end);
  if (!e.ok) return bad(`invalid end port '${end}': ${e.message}`);
  if (e.value < s.value) return bad(`invalid port range: ${raw}`);
  return ok([s.value, e.value]);
}

/** Splits `[ip:][host:]container` as docker does: the last two `:` parts are the ports. */
function splitParts(raw: string): { ip: string; host: string; container: string } {
  const parts = raw.split(":");
  const n = parts.length;
  if (n === 1) return { ip: "", host: "", container: parts[0] as string };
  if (n === 2) return { ip: "", host: parts[0] as string, container: parts[1] as string };
  return { ip: parts.slice(0, n - 2).join(":"), host: parts[n - 2] as string, container: parts[n - 1] as string };
}

function validIp(ip: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255 && !/^0\d/.test(o));
  return /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(":") && (ip.match(/::/g) ?? []).length <= 1;
}

/** What EXPOSE writes for one word, and the notes a linter may turn into warnings. */
export interface ExposedPorts {
  /** The `ExposedPorts` keys, `<port>/<proto>` with the protocol in lower case, one per port of a range. */
  readonly keys: readonly string[];
  /** The protocol was not written in lower case (BuildKit's ExposeProtoCasing). */
  readonly protoCasing: boolean;
  /** An IP or host port was given, which EXPOSE ignores (BuildKit's ExposeInvalidFormat). */
  readonly hostPart: boolean;
}

/**
 * Parses one (already expanded) EXPOSE word: `80`, `80/udp`, `8000-8010/tcp`, `53/SCTP`, and
 * docker's tolerated `[ip:]host:container` forms (only the container port is kept). Port 0 is
 * allowed, 65536 and above are not, nor a missing port (`/tcp`) or an unknown protocol.
 */
export function parseExposePort(text: string): Checked<ExposedPorts> {
  const { ip: rawIp, host, container } = splitParts(text);
  const slash = container.indexOf("/");
  const port = slash < 0 ? container : container.slice(0, slash);
  const proto = slash < 0 ? "" : container.slice(slash + 1);
  if (port === "") return bad(`invalid port: ${JSON.stringify(text)}: no port specified`);
  if (proto !== "" && !PROTOCOLS.has(proto.toLowerCase())) return bad(`invalid port: ${JSON.stringify(text)}: invalid proto: ${proto}`);
  let ip = rawIp;
  if (ip.startsWith("[")) {
    if (!ip.endsWith("]")) return bad(`invalid IP address ${rawIp}`);
    ip = ip.slice(1, -1);
  }
  if (ip !== "" && !validIp(ip)) return bad(`invalid IP address: ${ip}`);
  const range = portRange(port);
  if (!range.ok) return bad(`invalid containerPort: ${port}`);
  const [start, end] = range.value;
  if (host !== "") {
    const h = portRange(host);
    if (!h.ok) return bad(`invalid hostPort: ${host}`);
    if (end - start !== h.value[1] - h.value[0] && end !== start) {
      return bad(`invalid ranges specified for container and host Ports: ${port} and ${host}`);
    }
  }
  const p = proto === "" ? "tcp" : proto.toLowerCase();
  const keys: string[] = [];
  for (let n = start; n <= end; n++) keys.push(`${n}/${p}`);
  return ok({ keys, protoCasing: proto !== proto.toLowerCase(), hostPart: rawIp !== "" || host !== "" });
}

// ---------------------------------------------------------------------------------------------
// STOPSIGNAL

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** moby/sys signal.SignalMap on Linux: names without `SIG`, plus RTMIN+1..15 and RTMAX-14..1. */
const SIGNALS: ReadonlyMap<string, number> = new Map<string, number>([
  ["ABRT", 6],
  ["ALRM", 14],
  ["BUS", 7],
  ["CHLD", 17],
  ["CLD", 17],
  ["CONT", 18],
  ["FPE", 8],
  ["HUP", 1],
  ["ILL", 4],
  ["INT", 2],
  ["IO", 29],
  ["IOT", 6],
  ["KILL", 9],
  ["PIPE", 13],
  ["POLL", 29],
  ["PROF", 27],
  ["PWR", 30],
  ["QUIT", 3],
  ["SEGV", 11],
  ["STKFLT", 16],
  ["STOP", 19],
  ["SYS", 31],
  ["TERM", 15],
  ["TRAP", 5],
  ["TSTP", 20],
  ["TTIN", 21],
  ["TTOU", 22],
  ["URG", 23],
  ["USR1", 10],
  ["USR2", 12],
  ["VTALRM", 26],
  ["WINCH", 28],
  ["XCPU", 24],
  ["XFSZ", 25],
  ["RTMIN", SIGRTMIN],
  ...Array.from({ length: 15 }, (_, i) => [`RTMIN+${i + 1}`, SIGRTMIN + i + 1] as [string, number]),
  ...Array.from({ length: 14 }, (_, i) => [`RTMAX-${14 - i}`, SIGRTMAX - 14 + i] as [string, number]),
  ["RTMAX", SIGRTMAX],
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses a STOPSIGNAL value as docker does (moby/sys signal.ParseSignal): a non-zero decimal
 * integer (Go's Atoi: optional sign, any value; the kernel decides later), or a signal name,
 * case-insensitive, with or without `SIG` (`SIGTERM`, `term`, `SIGRTMIN+3`, `RTMAX-1`).
 * The value is the signal number; the image config keeps the text as written.
 */
export function parseStopSignal(text: string): Checked<number> {
  if (/^[+-]?[0-9]+$/.test(text)) {
    const n = BigInt(text);
    if (n >= INT64_MIN && n <= INT64_MAX) return n === 0n ? bad(`invalid signal: ${text}`) : ok(Number(n));
  }
  const upper = text.toUpperCase();
  const sig = SIGNALS.get(upper.startsWith("SIG") ? upper.slice(3) : upper);
  return sig === undefined ? bad(`invalid signal: ${text}`) : ok(sig);
}

// ---------------------------------------------------------------------------------------------
// --chmod

/** A `--chmod` value: an absolute octal mode, or a symbolic mode applied per file at copy time. */
export type ChmodMode = { readonly kind: "octal"; readonly mode: number } | { readonly kind: "symbolic"; readonly text: string };

/** One chmod(1) clause: who (`ugoa`), then actions (`+-=` with `rwxXst` or a class to copy). */
const SYMBOLIC_CLAUSE = /^[ugoa]*(?:[-+=](?:[ugo]|[rwxXst]*))+$/;

/**
 * Parses a (already expanded) `--chmod` value as BuildKit does (dockerfile2llb, Dockerfile
 * 1.14+): octal digits (Go's ParseUint base 8: `0`, `7`, `00755`, `4755`) up to 07777, else a
 * symbolic mode (`+x`, `u=rwX,go=rX`, `g=u`). A value that looks numeric but is neither gets
 * BuildKit's own message.
 */
export function parseChmod(text: string): Checked<ChmodMode> {
  const nonOctal = `invalid chmod parameter: '${text}'. it should be octal string and between 0 and 07777`;
  if (/^[0-7]+$/.test(text)) {
    const mode = Number.parseInt(text, 8);
    return mode <= 0o7777 ? ok({ kind: "octal", mode }) : bad(nonOctal);
  }
  if (/^[+-]?[0-9]/.test(text)) return bad(nonOctal);
  if (text !== "" && text.split(",").every((c) => SYMBOLIC_CLAUSE.test(c))) return ok({ kind: "symbolic", text });
  return bad(`invalid chmod parameter: '${text}'. it should be an octal mode up to 07777 or a symbolic mode such as u+x or go=rX`);
}
