/**
 * Differential harness: builds one Dockerfile with Strata and with buildah from the same busybox
 * base, then compares the two images' configs and flattened root filesystems.
 *
 * How one run goes (everything lives under one fresh temp dir, so runs may go side by side):
 *   1. the busybox rootfs tarball (scripts/busybox-rootfs.sh, cached in /var/cache/strata-test) is imported
 *      into a fresh Strata store (`strata import`) and copied from that store, byte for byte, into
 *      a fresh buildah store with `skopeo copy oci:<strata root>:busybox:latest
 *      containers-storage:[overlay@<root>+<runroot>]busybox:latest`: both builders start from the
 *      same layer and the same (empty) config;
 *   2. each build of the case (bases first, the compared image last) runs with `strata build` and
 *      `buildah bud --layers --isolation chroot --format docker` at the same time (buildah's OCI
 *      format drops HEALTHCHECK, SHELL and ONBUILD; chroot isolation is what works here as root);
 *   3. the Strata image is unpacked straight from the store (`umoci raw unpack --image
 *      <strata root>:<tag>`; the store is an OCI layout) and its config read with `skopeo inspect
 *      --config`; the buildah image is copied to an OCI dir with skopeo, unpacked the same way, and
 *      its docker-format config read with `buildah inspect`;
 *   4. both trees are walked (type, mode, uid, gid, size, sha256, symlink target, device numbers)
 *      and the config fields a Dockerfile sets are compared. The result is a list of `Difference`s.
 *
 * What is ignored, and why (see `IGNORED_WHEN_EMPTY` and `normalizeConfig`):
 *   - mtimes, atimes, ctimes: builders stamp them with the build time;
 *   - /etc/hosts, /etc/hostname, /etc/resolv.conf when an empty regular file: buildah creates them
 *     as bind-mount targets for every RUN and leaves them in the layer (docker/BuildKit do not);
 *   - /run, /run/secrets when an empty directory, /run/.containerenv when an empty file: buildah's
 *     mount targets for its container marker and secrets;
 *   - the `io.buildah.version` label buildah adds to every image; unset, null, "", [] and {} config
 *     values are all "not set" (buildah writes "Cmd": [] where docker writes null);
 *   - hard-link identity (two names, one inode) and extended attributes: not compared, only each
 *     name's own metadata and content;
 *   - config fields a Dockerfile cannot set (created, history, rootfs, ArgsEscaped, Image...).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, type Stats } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/strata.ts";

/** The image config fields a Dockerfile can set, compared one by one. */
export const CONFIG_FIELDS = [
  "Env",
  "Cmd",
  "Entrypoint",
  "WorkingDir",
  "User",
  "ExposedPorts",
  "Volumes",
  "Labels",
  "StopSignal",
  "Healthcheck",
  "Shell",
  "OnBuild",
] as const;
export type ConfigField = (typeof CONFIG_FIELDS)[number];
export type ComparedConfig = Partial<Record<ConfigField, unknown>>;

export type FileType = "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";
export interface FileEntry {
  readonly type: FileType;
  /** Permission bits and setuid/setgid/sticky, as 4 octal digits. */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
  readonly rdev?: number;
  /** The content of a small text file (up to 1 KiB), shown when digests differ; not compared. */
  readonly text?: string;
}
/** Absolute path in the image ("/" for the root) → its entry. */
export type FileTree = Map<string, FileEntry>;

export interface ImageSnapshot {
  readonly config: ComparedConfig;
  readonly files: FileTree;
}

export type Difference =
  | { readonly kind: "build"; readonly builder: "strata" | "buildah"; readonly tag: string; readonly message: string }
  | { readonly kind: "config"; readonly field: ConfigField; readonly strata: unknown; readonly reference: unknown }
  | { readonly kind: "file"; readonly path: string; readonly only: "strata" | "reference"; readonly entry: FileEntry }
  | {
      readonly kind: "file";
      readonly path: string;
      readonly field: keyof FileEntry;
      readonly strata: unknown;
      readonly reference: unknown;
    };

export interface BuildSpec {
  /** Context dir, relative to the case dir ("." for the case dir itself). */
  readonly context?: string;
  /** Dockerfile path relative to the case dir; default `<context>/Dockerfile`. */
  readonly dockerfile?: string;
  /** Tag given to both builders (e.g. "onbuild-base:latest" for an image a later build uses). */
  readonly tag: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
}

/** The reference's result where buildah 1.28 departs from the Dockerfile reference. */
export interface ExpectedOverride {
  /** Config fields whose reference value differs from buildah's (undefined: the field is unset). */
  readonly config?: ComparedConfig;
  /** Paths whose reference entry differs from buildah's (null: the path is absent). */
  readonly files?: Readonly<Record<string, FileEntry | null>>;
}

export interface DifferentialInput {
  /** Unique among concurrently running cases; names the temp dir and the final tag. */
  readonly name: string;
  /** The case dir: Dockerfile(s) and context files. */
  readonly dir: string;
  /** Builds before the compared one, in order (base images that later FROMs use). */
  readonly before?: readonly BuildSpec[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  /**
   * The build context, relative to the case dir (default "."). A context with dangling symlinks
   * lives in a `testdata` dir, which biome does not walk.
   */
  readonly context?: string;
  /** The Dockerfile Strata builds, relative to the case dir (default "Dockerfile"). */
  readonly dockerfile?: string;
  /**
   * The Dockerfile buildah builds for the compared image instead, when buildah 1.28 cannot build
   * the case as written but an equivalent Dockerfile has the reference's result.
   */
  readonly referenceDockerfile?: string;
  readonly expected?: ExpectedOverride;
  /** Keep the temp dir (for debugging). */
  readonly keep?: boolean;
}

export interface DifferentialResult {
  readonly differences: Difference[];
  readonly strata?: ImageSnapshot;
  readonly reference?: ImageSnapshot;
  /** Wall-clock milliseconds per phase. */
  readonly timings: Record<string, number>;
  readonly workDir: string;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function exec(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  return new Promise((resolvePromise) => {
    execFile(
      file,
      args,
      { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, maxBuffer: 256 << 20, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr: error && !stderr ? String(error.message) : stderr });
      },
    );
  });
}

async function must(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await exec(file, args, options);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

// ---------------------------------------------------------------------------------------------
// The two builders

let busyboxTar: Promise<string> | undefined;
/**
 * The busybox rootfs tarball, made once and cached in /var/cache/strata-test/ keyed by the
 * digests of /bin/busybox and of the script (written to a temp name, then renamed, so
 * concurrent runs are safe; nothing is left in /tmp).
 */
function busyboxTarball(): Promise<string> {
  busyboxTar ??= (async () => {
    const script = join(repoRoot, "scripts/busybox-rootfs.sh");
    const key = createHash("sha256")
      .update(await sha256File("/bin/busybox"))
      .update(await sha256File(script))
      .digest("hex")
      .slice(0, 16);
    const dir = "/var/cache/strata-test";
    const tar = join(dir, `busybox-${key}.tar`);
    if (existsSync(tar)) return tar;
    await mkdir(dir, { recursive: true });
    const tmp = `${tar}.${process.pid}.tmp`;
    await must("bash", [script, tmp]);
    await rename(tmp, tar);
    return tar;
  })();
  return busyboxTar;
}

class Roots {
  readonly strata: string;
  readonly buildahRoot: string;
  readonly buildahRunroot: string;
  readonly work: string;
  constructor(work: string) {
    this.work = work;
    this.strata = join(work, "strata");
    this.buildahRoot = join(work, "buildah", "root");
    this.buildahRunroot = join(work, "buildah", "run");
  }
  get storage(): string {
    return `containers-storage:[overlay@${this.buildahRoot}+${this.buildahRunroot}]`;
  }
  buildahArgs(): string[] {
    return ["--root", this.buildahRoot, "--runroot", this.buildahRunroot, "--storage-driver", "overlay"];
  }
}

function strataCli(roots: Roots, args: readonly string[]): Promise<ExecResult> {
  return exec(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", roots.strata, ...args]);
}

const buildahEnv = { ...process.env, BUILDAH_ISOLATION: "chroot", BUILDAH_LAYERS: "true", BUILDAH_FORMAT: "docker" };

function buildArgFlags(args: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(args ?? {}).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
}

async function buildStrata(roots: Roots, dir: string, b: BuildSpec): Promise<Difference | undefined> {
  const context = join(dir, b.context ?? ".");
  const dockerfile = join(dir, b.dockerfile ?? join(b.context ?? ".", "Dockerfile"));
  const args = ["build", "-f", dockerfile, "-t", b.tag, ...buildArgFlags(b.buildArgs), ...(b.target ? ["--target", b.target] : []), context];
  const r = await strataCli(roots, args);
  if (r.code === 0) return undefined;
  return { kind: "build", builder: "strata", tag: b.tag, message: `exit ${r.code}\n${tail(r.stderr)}` };
}

async function buildBuildah(roots: Roots, dir: string, b: BuildSpec): Promise<Difference | undefined> {
  const context = join(dir, b.context ?? ".");
  const dockerfile = join(dir, b.dockerfile ?? join(b.context ?? ".", "Dockerfile"));
  const args = [
    ...roots.buildahArgs(),
    "bud",
    "--layers",
    "--isolation",
    "chroot",
    "--format",
    "docker",
    "--pull-never",
    "-f",
    dockerfile,
    "-t",
    b.tag,
    ...buildArgFlags(b.buildArgs),
    ...(b.target ? ["--target", b.target] : []),
    context,
  ];
  const r = await exec("buildah", args, { env: buildahEnv });
  if (r.code === 0) return undefined;
  return { kind: "build", builder: "buildah", tag: b.tag, message: `exit ${r.code}\n${tail(`${r.stdout}\n${r.stderr}`)}` };
}

async function setUp(roots: Roots): Promise<void> {
  const tar = await busyboxTarball();
  await mkdir(roots.strata, { recursive: true });
  const imp = await strataCli(roots, ["import", tar, "busybox:latest"]);
  if (imp.code !== 0) throw new Error(`strata import failed (exit ${imp.code}): ${imp.stderr}`);
  await mkdir(roots.buildahRoot, { recursive: true });
  await mkdir(roots.buildahRunroot, { recursive: true });
  await must("skopeo", ["copy", "-q", `oci:${roots.strata}:busybox:latest`, `${roots.storage}busybox:latest`]);
}

/** Unmounts whatever buildah left mounted under the work dir, then removes it. */
async function tearDown(work: string): Promise<void> {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((m) => m === work || m.startsWith(`${work}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await exec("umount", ["-l", m]);
  await rm(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Reading images

function pickConfig(config: Record<string, unknown> | null | undefined): ComparedConfig {
  const out: ComparedConfig = {};
  for (const f of CONFIG_FIELDS) {
    const v = config?.[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return true;
  if (typeof v === "object" && !Array.isArray(v)) return Object.keys(v).length === 0;
  return false;
}

/** Unset, null, "", [] and {} all mean "not set"; buildah's own label is dropped. */
export function normalizeConfig(c: ComparedConfig): ComparedConfig {
  const out: ComparedConfig = {};
  for (const f of CONFIG_FIELDS) {
    let v = c[f];
    if (f === "Labels" && v && typeof v === "object") {
      const { "io.buildah.version": _, ...rest } = v as Record<string, string>;
      v = rest;
    }
    // buildah writes "Cmd": [] and "Entrypoint": [] where docker writes null: the same at run time.
    if (Array.isArray(v) && v.length === 0) v = undefined;
    if (!isEmpty(v)) out[f] = v;
  }
  return out;
}

async function strataSnapshot(roots: Roots, tag: string, into: string): Promise<ImageSnapshot> {
  const cfg = JSON.parse(await must("skopeo", ["inspect", "--raw", "--config", `oci:${roots.strata}:${tag}`])) as { config?: Record<string, unknown> };
  await must("umoci", ["raw", "unpack", "--image", `${roots.strata}:${tag}`, into]);
  return { config: normalizeConfig(pickConfig(cfg.config)), files: await walk(into) };
}

async function buildahSnapshot(roots: Roots, tag: string, work: string, into: string): Promise<ImageSnapshot> {
  const inspect = JSON.parse(await must("buildah", [...roots.buildahArgs(), "inspect", "--type", "image", tag])) as {
    Docker?: { config?: Record<string, unknown> };
    FromImageID: string;
  };
  const layout = join(work, "buildah-oci");
  await must("skopeo", ["copy", "-q", `${roots.storage}@${inspect.FromImageID}`, `oci:${layout}:image`]);
  await must("umoci", ["raw", "unpack", "--image", `${layout}:image`, into]);
  return { config: normalizeConfig(pickConfig(inspect.Docker?.config)), files: await walk(into) };
}

function fileType(s: Stats): FileType {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "dir";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isCharacterDevice()) return "char";
  if (s.isBlockDevice()) return "block";
  if (s.isFIFO()) return "fifo";
  return "socket";
}

function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash("sha256");
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on("data", (d) => h.update(d))
      .on("error", rej)
      .on("end", () => res(h.digest("hex")));
  });
}

function smallText(b: Buffer): string | undefined {
  const t = b.toString("utf8");
  return b.includes(0) || t.includes("\uFFFD") ? undefined : t;
}

/** Every entry under `root`, keyed by its absolute path in the image. */
export async function walk(root: string): Promise<FileTree> {
  const tree: FileTree = new Map();
  async function visit(abs: string, path: string): Promise<void> {
    const s = await lstat(abs);
    const type = fileType(s);
    const base = { type, mode: (s.mode & 0o7777).toString(8).padStart(4, "0"), uid: s.uid, gid: s.gid };
    if (type === "file") {
      const text = s.size <= 1024 ? smallText(await readFile(abs)) : undefined;
      tree.set(path, { ...base, size: s.size, sha256: await sha256File(abs), ...(text !== undefined ? { text } : {}) });
    }
    else if (type === "symlink") tree.set(path, { ...base, target: await readlink(abs) });
    else if (type === "char" || type === "block") tree.set(path, { ...base, rdev: s.rdev });
    else tree.set(path, base);
    if (type === "dir") {
      for (const name of (await readdir(abs)).sort()) await visit(join(abs, name), path === "/" ? `/${name}` : `${path}/${name}`);
    }
  }
  await visit(root, "/");
  return tree;
}

/** Paths buildah leaves behind as mount targets; dropped from both trees when empty. */
export const IGNORED_WHEN_EMPTY: readonly string[] = [
  "/etc/hosts",
  "/etc/hostname",
  "/etc/resolv.conf",
  "/run/.containerenv",
  "/run/secrets",
  "/run",
];

export function dropInjected(tree: FileTree): void {
  for (const p of IGNORED_WHEN_EMPTY) {
    const e = tree.get(p);
    if (!e) continue;
    const empty =
      (e.type === "file" && e.size === 0) || (e.type === "dir" && ![...tree.keys()].some((k) => k.startsWith(`${p}/`)));
    if (empty) tree.delete(p);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing

export function applyExpected(reference: ImageSnapshot, expected: ExpectedOverride | undefined): ImageSnapshot {
  if (!expected) return reference;
  const config: ComparedConfig = { ...reference.config };
  for (const [k, v] of Object.entries(expected.config ?? {})) {
    if (v === undefined) delete config[k as ConfigField];
    else config[k as ConfigField] = v;
  }
  const files: FileTree = new Map(reference.files);
  for (const [p, e] of Object.entries(expected.files ?? {})) {
    if (e === null) files.delete(p);
    else files.set(p, e);
  }
  return { config: normalizeConfig(config), files };
}

export function compare(strata: ImageSnapshot, reference: ImageSnapshot): Difference[] {
  const out: Difference[] = [];
  for (const f of CONFIG_FIELDS) {
    const a = strata.config[f];
    const b = reference.config[f];
    if (JSON.stringify(sortKeys(a)) !== JSON.stringify(sortKeys(b))) out.push({ kind: "config", field: f, strata: a, reference: b });
  }
  const paths = [...new Set([...strata.files.keys(), ...reference.files.keys()])].sort();
  for (const p of paths) {
    const a = strata.files.get(p);
    const b = reference.files.get(p);
    if (!a && b) {
      out.push({ kind: "file", path: p, only: "reference", entry: b });
      continue;
    }
    if (a && !b) {
      out.push({ kind: "file", path: p, only: "strata", entry: a });
      continue;
    }
    if (!a || !b) continue;
    for (const k of ["type", "mode", "uid", "gid", "size", "sha256", "target", "rdev"] as const) {
      if (a[k] === b[k]) continue;
      // Small text files: one difference showing both contents instead of size and digest.
      if ((k === "size" || k === "sha256") && a.text !== undefined && b.text !== undefined) {
        if (k === "sha256") out.push({ kind: "file", path: p, field: "text", strata: a.text, reference: b.text });
        continue;
      }
      out.push({ kind: "file", path: p, field: k, strata: a[k], reference: b[k] });
    }
  }
  return out;
}

/** Stable-ordered JSON of a config value, for stating expectations. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** One line per difference: what a failing spec prints. */
export function formatDifferences(ds: readonly Difference[]): string {
  return ds
    .map((d) => {
      if (d.kind === "build") return `build failed (${d.builder}, ${d.tag}): ${d.message.replace(/\n/g, "\n    ")}`;
      if (d.kind === "config")
        return `config ${d.field}: strata=${JSON.stringify(sortKeys(d.strata))} reference=${JSON.stringify(sortKeys(d.reference))}`;
      if ("only" in d) {
        const { text: _, ...entry } = d.entry;
        return `file ${d.path}: only in ${d.only} ${JSON.stringify(entry)}`;
      }
      return `file ${d.path}: ${d.field} strata=${JSON.stringify(d.strata)} reference=${JSON.stringify(d.reference)}`;
    })
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// The run

/** Both promises, after both have settled (so nothing still writes when the work dir goes). */
async function settleBoth<A, B>(a: Promise<A> | A, b: Promise<B> | B): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
  return [ra.value, rb.value];
}

export async function runDifferential(input: DifferentialInput): Promise<DifferentialResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timings[phase] = Math.round(performance.now() - t);
    }
  };
  const safe = input.name.replace(/[^a-z0-9-]/g, "-");
  const work = await mkdtemp(join(tmpdir(), `strata-diff-${safe}-`));
  const roots = new Roots(work);
  const finalTag = `diff-${safe}:latest`;
  const differences: Difference[] = [];
  try {
    await timed("setup", () => setUp(roots));
    const builds: { strata: BuildSpec; buildah: BuildSpec }[] = (input.before ?? []).map((b) => ({ strata: b, buildah: b }));
    const last: BuildSpec = {
      tag: finalTag,
      context: input.context ?? ".",
      dockerfile: input.dockerfile ?? "Dockerfile",
      ...(input.buildArgs ? { buildArgs: input.buildArgs } : {}),
      ...(input.target ? { target: input.target } : {}),
    };
    builds.push({ strata: last, buildah: { ...last, dockerfile: input.referenceDockerfile ?? last.dockerfile } });
    let strataOk = true;
    let buildahOk = true;
    for (const [i, b] of builds.entries()) {
      const [s, r] = await timed(`build${i === builds.length - 1 ? "" : `:${b.strata.tag}`}`, () =>
        settleBoth(
          strataOk ? buildStrata(roots, input.dir, b.strata) : undefined,
          buildahOk ? buildBuildah(roots, input.dir, b.buildah) : undefined,
        ),
      );
      if (s) {
        strataOk = false;
        differences.push(s);
      }
      if (r) {
        buildahOk = false;
        differences.push(r);
      }
    }
    const [strata, reference] = await timed("extract", () =>
      settleBoth(
        strataOk ? strataSnapshot(roots, finalTag, join(work, "strata-fs")) : undefined,
        buildahOk ? buildahSnapshot(roots, finalTag, work, join(work, "buildah-fs")) : undefined,
      ),
    );
    if (strata) dropInjected(strata.files);
    if (reference) dropInjected(reference.files);
    const expected = reference ? applyExpected(reference, input.expected) : undefined;
    if (strata && expected) differences.push(...compare(strata, expected));
    return { differences, ...(strata ? { strata } : {}), ...(expected ? { reference: expected } : {}), timings, workDir: work };
  } finally {
    if (!input.keep) await timed("teardown", () => tearDown(work));
  }
}

/** The case dirs under specs/differential/cases. */
export function caseDir(name: string): string {
  const d = join(repoRoot, "specs/differential/cases", name);
  if (!existsSync(d)) throw new Error(`no such case: ${d}`);
  return d;
}
