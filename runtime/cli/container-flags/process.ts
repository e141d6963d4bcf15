import type { Command } from "commander";
import { PULL_POLICIES, type PullPolicy } from "../../container/pull-policy.ts";
import type { HostConfig } from "../../container/host-config.ts";
import { collect } from "../options.ts";
import { StrataError } from "../../errors/error.ts";
import { readBounded } from "../../fs/read-bounded.ts";

/**
 * `run`/`create` flags about the process and its image, as docker's CLI reads
 * them: `--env-file` (opts/file.go: `#` comments, blank lines, `KEY=VALUE`
 * passed through untrimmed, a bare `KEY` taken from this environment),
 * `--init`, `-l/--label`, `-a/--attach`, `--pull missing|always|never`, `--platform`.
 */
export interface ProcessFlags {
  envFile: string[];
  init?: boolean;
  label: string[];
  attach: string[];
  pull: string;
  platform?: string;
}

/** An env file is a few lines: one larger than this is refused rather than read. */
const MAX_ENV_FILE = 1 << 20;

export function addProcessFlags(c: Command): Command {
  return c
    .option("--env-file <file>", "read environment variables from a file (KEY=VALUE lines); repeatable", collect, [])
    .option("--init", "run an init (tini) as PID 1 that forwards signals and reaps processes")
    .option("-l, --label <key=value>", "set a label on the container; repeatable", collect, [])
    .option("-a, --attach <stream>", "attach to stdin, stdout or stderr (default: all); repeatable", collect, [])
    .option("--pull <policy>", "pull the image before running: missing, always or never", "missing")
    .option("--platform <os/arch>", "the platform of the image to run (and pull)");
}

/** docker's env-file lines (parseKeyValueFile); an error names FILE:LINE. */
export async function readEnvFile(path: string): Promise<string[]> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readBounded(path, MAX_ENV_FILE);
  } catch (e) {
    throw new StrataError("CONTAINER_USAGE", `open ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
  }
  if (bytes === undefined) throw new StrataError("CONTAINER_USAGE", `env file ${path} is larger than ${MAX_ENV_FILE} bytes`);
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) throw new StrataError("CONTAINER_USAGE", `env file ${path} contains invalid utf8 bytes`);
  const out: string[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trimStart();
      if (line === "" || line.startsWith("#")) return;
      const eq = line.indexOf("=");
      const name = (eq < 0 ? line : line.slice(0, eq)).replace(/^[ \t]+/, "");
      const where = `${path}:${i + 1}`;
      if (/[ \t]/.test(name)) throw new StrataError("CONTAINER_USAGE", `${where}: poorly formatted environment: variable '${name}' contains whitespaces`);
      if (name === "") throw new StrataError("CONTAINER_USAGE", `${where}: poorly formatted environment: no variable name on line '${line}'`);
      // A bare name passes this environment's value through (or nothing: mergeEnv drops an unset one).
      out.push(eq < 0 ? name : `${name}=${line.slice(eq + 1)}`);
    });
  return out;
}

/** `--label K=V` (a bare K is the empty value), later ones winning. */
export function parseLabels(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    const key = eq < 0 ? v : v.slice(0, eq);
    if (key === "") throw new StrataError("USAGE", `invalid argument "${v}" for "-l, --label" flag: invalid label format: "${v}"`);
    out[key] = eq < 0 ? "" : v.slice(eq + 1);
  }
  return out;
}

function parseAttach(values: readonly string[]): ("stdin" | "stdout" | "stderr")[] {
  return values.map((v) => {
    const s = v.toLowerCase();
    if (s !== "stdin" && s !== "stdout" && s !== "stderr") throw new StrataError("USAGE", `invalid argument "${v}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    return s;
  });
}

export function parsePull(value: string): PullPolicy {
  if ((PULL_POLICIES as readonly string[]).includes(value)) return value as PullPolicy;
  throw new StrataError("USAGE", `invalid pull option: '${value}': must be one of "always", "missing" or "never"`);
}

/** Every `--env-file`, in order (run and exec put `-e` after them, so it wins, as in docker). */
export async function readEnvFiles(files: readonly string[]): Promise<string[]> {
  const env: string[] = [];
  for (const file of files) env.push(...(await readEnvFile(file)));
  return env;
}

/** What these flags set: extra env (the files' lines, before -e), labels, attach, init, and the pull policy. */
export async function processOptions(
  f: ProcessFlags,
  detach: boolean,
): Promise<{ env: string[]; labels: Record<string, string> | undefined; attach: ("stdin" | "stdout" | "stderr")[]; hostConfig: HostConfig; pull: PullPolicy; platform: string | undefined }> {
  const attach = parseAttach(f.attach);
  if (detach && attach.length > 0) throw new StrataError("USAGE", "Conflicting options: -a and -d");
  return { env: await readEnvFiles(f.envFile), labels: parseLabels(f.label), attach, hostConfig: f.init ? { init: true } : {}, pull: parsePull(f.pull), platform: f.platform };
}
