import { StrataError } from "../errors/error.ts";
import { exists } from "../fs/exists.ts";
import { readBounded } from "../fs/read-bounded.ts";
import { FALLBACK_PROFILE } from "./seccomp-fallback.ts";

/**
 * Seccomp for containers and RUN steps, as docker and podman apply it: a
 * profile in docker's JSON format (the one containers-common ships as
 * seccomp.json, and `--security-opt seccomp=FILE` reads) is turned into the
 * OCI runtime spec's `linux.seccomp` for this machine's architecture and the
 * container's capabilities (moby's profiles/seccomp setupSeccomp): a rule
 * whose `includes` names a capability the container lacks, or an architecture
 * that is not this one, is left out, and one whose `excludes` matches is too.
 *
 * The default profile is the first of /etc/containers/seccomp.json and
 * /usr/share/containers/seccomp.json (Debian's golang-github-containers-common,
 * installed with podman: podman's default), else Strata's own
 * (seccomp-fallback.ts). runc ignores syscall names its libseccomp does not know.
 */

export interface SeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: string;
}

export interface ProfileSyscall {
  readonly name?: string;
  readonly names?: readonly string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args?: readonly SeccompArg[] | null;
  readonly includes?: { readonly caps?: readonly string[]; readonly arches?: readonly string[] } | null;
  readonly excludes?: { readonly caps?: readonly string[]; readonly arches?: readonly string[] } | null;
}

/** docker's seccomp profile format (moby profiles/seccomp.Seccomp), the fields Strata reads. */
export interface SeccompProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly archMap?: readonly { readonly architecture: string; readonly subArchitectures?: readonly string[] | null }[] | null;
  readonly architectures?: readonly string[] | null;
  readonly syscalls?: readonly ProfileSyscall[] | null;
}

/** The OCI spec's linux.seccomp. */
export interface OciSeccomp {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly string[];
  readonly syscalls: readonly { names: readonly string[]; action: string; errnoRet?: number; args?: readonly SeccompArg[] }[];
}

export const DEFAULT_PROFILE_PATHS = ["/etc/containers/seccomp.json", "/usr/share/containers/seccomp.json"] as const;

/** A profile is a small JSON document: one larger than this is refused rather than read. */
const MAX_PROFILE_BYTES = 1 << 20;

/** Node's process.arch as Go names it (the profile's `arches`), and as libseccomp does (SCMP_ARCH_*). */
const ARCHES: Record<string, { go: string; scmp: string }> = {
  x64: { go: "amd64", scmp: "SCMP_ARCH_X86_64" },
  arm64: { go: "arm64", scmp: "SCMP_ARCH_AARCH64" },
  arm: { go: "arm", scmp: "SCMP_ARCH_ARM" },
  ia32: { go: "386", scmp: "SCMP_ARCH_X86" },
  ppc64: { go: "ppc64le", scmp: "SCMP_ARCH_PPC64LE" },
  s390x: { go: "s390x", scmp: "SCMP_ARCH_S390X" },
  riscv64: { go: "riscv64", scmp: "SCMP_ARCH_RISCV64" },
  loong64: { go: "loong64", scmp: "SCMP_ARCH_LOONGARCH64" },
};

export class SeccompProfileError extends StrataError {
  constructor(message: string) {
    super("SECCOMP_PROFILE", message);
  }
}

/** Reads and checks a profile file (bounded); a problem is SECCOMP_PROFILE naming the file. */
export async function readProfile(path: string): Promise<SeccompProfile> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readBounded(path, MAX_PROFILE_BYTES);
  } catch (e) {
    throw new SeccompProfileError(`opening seccomp profile (${path}) failed: ${(e as Error).message}`);
  }
  if (bytes === undefined) throw new SeccompProfileError(`seccomp profile ${path} is larger than ${MAX_PROFILE_BYTES} bytes`);
  return parseProfile(bytes.toString("utf8"), path);
}

/** A profile from its JSON text, checked for the fields the conversion needs. */
export function parseProfile(text: string, label: string): SeccompProfile {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (e) {
    throw new SeccompProfileError(`decoding seccomp profile (${label}) failed: ${(e as Error).message}`);
  }
  const o = p as SeccompProfile;
  if (typeof o !== "object" || o === null || typeof o.defaultAction !== "string" || o.defaultAction === "") throw new SeccompProfileError(`seccomp profile ${label} has no defaultAction`);
  for (const [i, s] of (o.syscalls ?? []).entries()) {
    if (typeof s?.action !== "string") throw new SeccompProfileError(`seccomp profile ${label}: syscalls[${i}] has no action`);
    if (s.name !== undefined && s.names !== undefined && s.names.length > 0) throw new SeccompProfileError(`seccomp profile ${label}: syscalls[${i}] has both name and names`);
  }
  return o;
}

let cachedDefault: Promise<{ profile: SeccompProfile; source: string }> | undefined;

/** The default profile and where it came from (a path, or "builtin"); read once per process. */
export function defaultProfile(): Promise<{ profile: SeccompProfile; source: string }> {
  cachedDefault ??= (async () => {
    for (const path of DEFAULT_PROFILE_PATHS) if (await exists(path)) return { profile: await readProfile(path), source: path };
    return { profile: FALLBACK_PROFILE, source: "builtin" };
  })();
  return cachedDefault;
}

/**
 * The profile as the OCI spec's linux.seccomp for a container with these
 * capabilities (its bounding set) on this machine (`arch`: Node's process.arch).
 */
export function toOciSeccomp(profile: SeccompProfile, caps: readonly string[], arch: string = process.arch): OciSeccomp {
  const here = ARCHES[arch];
  const architectures: string[] = [];
  if (profile.archMap && here !== undefined) {
    for (const a of profile.archMap) if (a.architecture === here.scmp) architectures.push(a.architecture, ...(a.subArchitectures ?? []));
  } else if (profile.architectures) architectures.push(...profile.architectures);
  const has = new Set(caps);
  const syscalls: OciSeccomp["syscalls"][number][] = [];
  for (const s of profile.syscalls ?? []) {
    const inc = s.includes ?? {};
    const exc = s.excludes ?? {};
    if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(here?.go ?? arch)) continue;
    if (exc.arches?.includes(here?.go ?? arch)) continue;
    if (inc.caps?.some((c) => !has.has(c))) continue;
    if (exc.caps?.some((c) => has.has(c))) continue;
    const names = s.names && s.names.length > 0 ? s.names : s.name !== undefined ? [s.name] : [];
    if (names.length === 0) continue;
    syscalls.push({
      names,
      action: s.action,
      ...(s.errnoRet !== undefined && { errnoRet: s.errnoRet }),
      ...(s.args && s.args.length > 0 && { args: s.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op })) }),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined && { defaultErrnoRet: profile.defaultErrnoRet }),
    architectures,
    syscalls,
  };
}

/** What a container or RUN step is confined by: the default profile, none, or a profile of its own. */
export type SeccompChoice = { readonly kind: "default" } | { readonly kind: "unconfined" } | { readonly kind: "profile"; readonly profile: SeccompProfile };

/** The linux.seccomp for a choice, or undefined for unconfined. */
export async function seccompFor(choice: SeccompChoice, caps: readonly string[]): Promise<OciSeccomp | undefined> {
  if (choice.kind === "unconfined") return undefined;
  const profile = choice.kind === "profile" ? choice.profile : (await defaultProfile()).profile;
  return toOciSeccomp(profile, caps);
}
