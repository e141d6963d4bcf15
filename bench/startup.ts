/**
 * bench/startup: the quick commands as a user runs them, against podman, both
 * alternating in one run (issue 16). Strata is the installed package, not this
 * clone: `npm pack`, then `npm install -g --prefix <tmp>` of the tarball (no dev
 * dependencies), timing `<prefix>/bin/strata` with a V8 code cache of its own
 * (a temporary $XDG_CACHE_HOME, filled by the untimed first round). `--exe PATH`
 * adds the standalone executable (`npm run build:exe`), when PATH exists.
 * podman uses its own root, runroot and tmpdir (vfs driver, no events), so
 * the host's storage is never touched.
 *
 * Rows: `--version`; `images` of an empty store and of a 20-image store
 * (busybox:latest and 19 one-file images, imported by each tool); `explain
 * examples/hello` (Strata only). Targets: `--version` and `images` ≤ 1.0× podman.
 * A last line times `node -e 0` beside `podman --version`: Node's own start-up,
 * the floor under every Strata command that runs on Node.
 *
 *   node bench/startup.ts [--runs 20] [--exe build/strata]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repo } from "./lib/builders.ts";
import { installPackage } from "./lib/install.ts";
import { median, summaryMs, wall } from "./lib/measure.ts";

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(opt("runs") ?? 20);
const exeArg = opt("exe");
const exe = exeArg !== undefined && existsSync(exeArg) ? resolve(exeArg) : undefined;
if (exeArg !== undefined && exe === undefined) console.log(`--exe ${exeArg}: no such file; timing the npm install only`);

const work = mkdtempSync(join(tmpdir(), "strata-bench-startup-"));

function sh(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 << 20, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** A one-file rootfs tarball, different for each `n`. */
function tinyTar(n: number): string {
  const dir = join(work, "tiny", String(n));
  mkdirSync(join(dir, "etc"), { recursive: true });
  writeFileSync(join(dir, "etc/image"), `image ${n}\n`);
  const tar = join(work, "tiny", `${n}.tar`);
  sh("tar", ["-C", dir, "-cf", tar, "."]);
  return tar;
}

/** One tool's command line: a program and the arguments before the command's own. */
interface Tool {
  readonly name: string;
  readonly cmd: string;
  readonly args: (store: "empty" | "full") => string[];
  readonly env?: NodeJS.ProcessEnv;
}

const strataEnv = { ...process.env, XDG_CACHE_HOME: join(work, "xdg-cache") };
const strataStores = { empty: join(work, "strata-empty"), full: join(work, "strata-20") };
const strataTool = (name: string, cmd: string): Tool => ({ name, cmd, args: (s) => ["--root", strataStores[s]], env: strataEnv });
const podmanArgs = (s: "empty" | "full") => {
  const d = join(work, `podman-${s}`);
  return ["--root", join(d, "root"), "--runroot", join(d, "run"), "--tmpdir", join(d, "tmp"), "--storage-driver", "vfs", "--events-backend", "none", "--cgroup-manager", "cgroupfs"];
};
const podman: Tool = { name: "podman", cmd: "podman", args: podmanArgs };
/** Node itself doing nothing: the same Node the installed `strata` runs on (first on the PATH). */
const nodeFloor: Tool = { name: "node -e 0", cmd: "node", args: () => [] };

/** busybox:latest and 19 one-file images, in both tools' full stores. */
function seed(strata: Tool): void {
  const busybox = join(work, "busybox.tar");
  sh("bash", [join(repo, "scripts/busybox-rootfs.sh"), busybox]);
  const tars: [string, string][] = [[busybox, "busybox:latest"], ...Array.from({ length: 19 }, (_, i): [string, string] => [tinyTar(i), `tiny${i}:latest`])];
  for (const [tar, name] of tars) {
    sh(strata.cmd, [...strata.args("full"), "import", tar, name], { env: strata.env });
    sh("podman", [...podmanArgs("full"), "import", "-q", tar, name]);
  }
}

interface Row {
  readonly label: string;
  readonly run: (t: Tool) => string[] | undefined;
  readonly target?: number;
}

const ROWS: readonly Row[] = [
  { label: "--version", run: () => ["--version"], target: 1.0 },
  { label: "images, empty store", run: (t) => [...t.args("empty"), "images"], target: 1.0 },
  { label: "images, 20 images", run: (t) => [...t.args("full"), "images"], target: 1.0 },
  { label: "explain examples/hello", run: (t) => (t === podman ? undefined : [...t.args("full"), "explain", join(repo, "examples/hello")]) },
];

try {
  console.log("installing the package (npm pack, npm install -g --prefix) …");
  const strata = strataTool("strata (npm)", installPackage(work));
  const tools = [strata, ...(exe ? [strataTool("strata (exe)", exe)] : []), podman];
  seed(strata);
  const times = new Map<string, number[]>();
  const key = (r: Row, t: Tool) => `${r.label}\0${t.name}`;
  // Round 0 is untimed: it fills Strata's V8 code cache and the page cache.
  for (let i = 0; i <= runs; i++) {
    for (const r of ROWS) {
      for (const t of i % 2 === 0 ? tools : [...tools].reverse()) {
        const args = r.run(t);
        if (args === undefined) continue;
        const s = wall(t.cmd, args, t.env);
        if (i > 0) times.set(key(r, t), [...(times.get(key(r, t)) ?? []), s]);
      }
      if (r === ROWS[0]) {
        const s = wall(nodeFloor.cmd, ["-e", "0"]);
        if (i > 0) times.set(key(r, nodeFloor), [...(times.get(key(r, nodeFloor)) ?? []), s]);
      }
    }
  }
  console.log(`\nstart-up: the installed package${exe ? ", the standalone executable" : ""} and podman ${sh("podman", ["--version"]).trim().replace(/^podman version /, "")}, ${runs} runs each, alternating; medians (min–max)`);
  const strataTools = tools.filter((t) => t !== podman);
  const head = ["", ...tools.map((t) => t.name), ...strataTools.map((t) => `${t.name} ÷ podman`)];
  const lines = [head];
  for (const r of ROWS) {
    const p = times.get(key(r, podman));
    const cells = tools.map((t) => {
      const xs = times.get(key(r, t));
      return xs ? summaryMs(xs) : "—";
    });
    const ratios = strataTools.map((t) => {
      const xs = times.get(key(r, t));
      if (!xs || !p) return "—";
      const ratio = median(xs) / median(p);
      return `${ratio.toFixed(2)}×${r.target === undefined ? "" : ratio <= r.target ? ` (≤ ${r.target.toFixed(1)}×: ok)` : ` (≤ ${r.target.toFixed(1)}×: MISSED)`}`;
    });
    lines.push([r.label, ...cells, ...ratios]);
  }
  const widths = head.map((_, c) => Math.max(...lines.map((l) => (l[c] ?? "").length)));
  for (const l of lines) console.log(l.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join("  ").trimEnd());
  const floor = times.get(key(ROWS[0] as Row, nodeFloor));
  const podmanVersion = times.get(key(ROWS[0] as Row, podman));
  if (floor && podmanVersion) {
    const node = sh("node", ["--version"]).trim();
    console.log(`floor: node ${node} -e 0 ${summaryMs(floor)} = ${(median(floor) / median(podmanVersion)).toFixed(2)}× podman --version (no command on this Node starts faster)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
