/**
 * bench/fleet (issue 23): a fleet of 4 builders sharing one registry as store and cache, Strata
 * against buildah in the same run. Each builder has its own store and runs in a network namespace
 * of its own (bench/lib/netns.ts: `unshare --net` + pasta, no bridge or route on the host) whose
 * 127.0.0.1:PORT reaches, through a counting proxy of its own (bench/lib/counting-proxy.ts), the
 * one docker-registry (Debian's, CNCF distribution) on the host's 127.0.0.1:PORT. The work is 12
 * images sharing a base and stages, built in two waves (bench/lib/fleet-work.ts): wave 1 exports
 * the cache, wave 2 builds the rest from it. Strata: `build --push --cache-to
 * type=registry,ref=CACHE,mode=max --cache-from type=registry,ref=CACHE` (one ref for all 4);
 * buildah: `build --layers --cache-to REPO --cache-from REPO`, then `push`. RUN has no network
 * (--network none) in both. Each run has a fresh registry; the tools alternate which goes first.
 *
 *   node bench/fleet.ts [--runs 3] [--source] [--refs shared|per-builder] [--log FILE] [--out DIR]
 *   (as root; --source: bin/strata.js, not the npm package; --refs per-builder: each Strata builder
 *   exports to a ref of its own and imports all four, which no concurrent export can overwrite;
 *   --log: every request, as JSON lines; --out: each build's output, a file per builder and image)
 *
 * Reported per tool: wall time (wave 1 + wave 2, each until its last builder is done), CPU time
 * of the builders' commands (what 4 builders on this machine's 2 cores contend for), steps run
 * and cached (Strata's summary line; buildah's STEP lines, FROM excepted, and its "Using cache"),
 * cache hit ratio, bytes pulled and pushed (response and request bodies at the proxies), and the
 * layers a builder downloaded that none of the images it built contains (layers: blobs that a
 * manifest it fetched lists as layers, or that no manifest it fetched lists as a config).
 * Targets: Strata's fleet wall ≤ 0.6× buildah's; no Strata builder downloads a layer it does not use.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startRegistry } from "../specs/registry/helpers.ts";
import { repoRoot, tempDir } from "../specs/helpers/strata.ts";
import { type CountingProxy, type Exchange, startCountingProxy, TrafficLog } from "./lib/counting-proxy.ts";
import { BUILDERS, type Image, makeWork, type Plan } from "./lib/fleet-work.ts";
import { installPackage } from "./lib/install.ts";
import { median } from "./lib/measure.ts";
import { createNetns, type Netns } from "./lib/netns.ts";

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1] || 3) || 3;
const fromSource = argv.includes("--source");
/** Strata's cache refs: one for all (the case), or one per builder exported and all four imported. */
const perBuilder = argv.includes("--refs") && argv[argv.indexOf("--refs") + 1] === "per-builder";
const logFile = argv.includes("--log") ? argv[argv.indexOf("--log") + 1] : undefined;
/** --out DIR: each build's output, one file per tool, wave, builder and image. */
const outDir = argv.includes("--out") ? argv[argv.indexOf("--out") + 1] : undefined;

type Cmd = readonly [string, readonly string[]];
interface Done {
  readonly code: number;
  readonly out: string;
}

function exec([cmd, args]: Cmd): Promise<Done> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const t0 = performance.now();
    // With --out, each chunk says when it came (seconds since the command started).
    const take = (c: Buffer): void => {
      out += outDir === undefined ? c.toString() : c.toString().replace(/^(?=.)/gm, `[${((performance.now() - t0) / 1000).toFixed(2)}] `);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

function sh(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** One tool's builder: the commands that build and push an image, and how its output counts steps. */
interface Tool {
  readonly name: string;
  commands(store: string, img: Image, tag: string, cache: string, builder: number): Cmd[];
  steps(out: string): { run: number; cached: number };
  cleanup(store: string): void;
}

function strataTool(strata: Cmd): Tool {
  return {
    name: "strata",
    commands(store, img, tag, cache, builder) {
      const to = perBuilder ? `${cache}:b${builder}` : `${cache}:fleet`;
      const from = perBuilder ? Array.from({ length: BUILDERS }, (_, b) => ["--cache-from", `type=registry,ref=${cache}:b${b}`]).flat() : ["--cache-from", `type=registry,ref=${cache}:fleet`];
      return [[strata[0], [...strata[1], "--root", store, "build", "--progress", "plain", "--network", "none", "--push", "-t", tag, "--cache-to", `type=registry,ref=${to},mode=max`, ...from, img.ctx]]];
    },
    steps(out) {
      const m = out.match(/(\d+) steps? run, (\d+) cached/);
      if (!m) throw new Error(`no step summary in Strata's output:\n${out.slice(-2000)}`);
      return { run: Number(m[1]), cached: Number(m[2]) };
    },
    cleanup: (store) => rmSync(store, { recursive: true, force: true }),
  };
}

const buildahTool: Tool = {
  name: "buildah",
  commands(store, img, tag, cache) {
    const s = ["--root", join(store, "root"), "--runroot", join(store, "runroot"), "--storage-driver", "overlay"];
    return [
      ["buildah", [...s, "build", "--layers", "--isolation", "oci", "--network", "none", "--tls-verify=false", "--cache-to", cache, "--cache-from", cache, "-t", tag, img.ctx]],
      ["buildah", [...s, "push", "-q", "--tls-verify=false", tag]],
    ];
  },
  steps(out) {
    const steps = [...out.matchAll(/STEP \d+\/\d+: (\w+)/g)].filter((m) => m[1] !== "FROM").length;
    const cached = (out.match(/--> Using cache /g) ?? []).length;
    return { run: steps - cached, cached };
  },
  cleanup(store) {
    const s = ["--root", join(store, "root"), "--runroot", join(store, "runroot"), "--storage-driver", "overlay"];
    spawnSync("buildah", [...s, "rm", "--all"]);
    spawnSync("buildah", [...s, "rmi", "--all", "--force"]);
    rmSync(store, { recursive: true, force: true });
  },
};

interface WaveResult {
  readonly wall: number;
  /** CPU seconds (user + sys) of the wave's commands and everything they waited for. */
  readonly cpu: number;
  readonly run: number;
  readonly cached: number;
  /** Per builder, the tags it pushed. */
  readonly tags: string[][];
}

/** Runs one wave: each builder its images in order, the builders at once, each in its namespace. */
async function wave(tool: Tool, images: readonly (readonly Image[])[], stores: readonly string[], ns: readonly Netns[], host: string): Promise<WaveResult> {
  const t0 = performance.now();
  const cpu0 = childCpu();
  const per = await Promise.all(
    images.map(async (list, b) => {
      let run = 0;
      let cached = 0;
      const tags: string[] = [];
      for (const img of list) {
        const tag = `${host}/fleet/${tool.name}-${img.name}:latest`;
        let out = "";
        for (const [cmd, args] of tool.commands(stores[b] as string, img, tag, `${host}/fleet/${tool.name}-cache`, b)) {
          const r = await exec((ns[b] as Netns).wrap(cmd, args));
          out += r.out;
          if (r.code !== 0) throw new Error(`${tool.name} builder ${b}, ${img.name}: ${cmd} failed (${r.code}):\n${r.out.slice(-3000)}`);
        }
        if (outDir !== undefined) {
          mkdirSync(outDir, { recursive: true });
          appendFileSync(join(outDir, `${tool.name}-b${b}-${img.name}.log`), out);
        }
        const s = tool.steps(out);
        run += s.run;
        cached += s.cached;
        tags.push(tag);
      }
      return { run, cached, tags };
    }),
  );
  return { wall: (performance.now() - t0) / 1000, cpu: childCpu() - cpu0, run: per.reduce((a, p) => a + p.run, 0), cached: per.reduce((a, p) => a + p.cached, 0), tags: per.map((p) => p.tags) };
}

/**
 * CPU seconds of this process's waited-for children (cutime + cstime of /proc/self/stat, in
 * clock ticks of 1/100 s): the builders' commands, and through them runc and their containers.
 * The registry, pasta and the proxies (in this process) are not counted: they serve both tools.
 */
function childCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const MANIFEST_ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/** The layer digests of a pushed image, read from the registry directly. */
async function layersOf(regHost: string, tag: string): Promise<string[]> {
  const [repo, ref] = tag.slice(regHost.length + 1).split(":") as [string, string];
  const r = await fetch(`http://${regHost}/v2/${repo}/manifests/${ref}`, { headers: { accept: MANIFEST_ACCEPT } });
  const m = (await r.json()) as { layers?: { digest: string }[] };
  return (m.layers ?? []).map((l) => l.digest);
}

interface Traffic {
  pulled: number;
  pushed: number;
  /** Layers downloaded that none of the builder's images of that wave contains: count and bytes. */
  unusedLayers: number;
  unusedBytes: number;
  unusedNames: string[];
}

/** Pulled/pushed bytes and unused layer downloads of one tool's waves, from the proxies' log. */
async function traffic(log: readonly Exchange[], tool: string, waves: readonly WaveResult[], regHost: string): Promise<Traffic> {
  const t: Traffic = { pulled: 0, pushed: 0, unusedLayers: 0, unusedBytes: 0, unusedNames: [] };
  for (const [w, res] of waves.entries()) {
    const phase = `${tool}-w${w + 1}`;
    for (let b = 0; b < BUILDERS; b++) {
      const ex = log.filter((e) => e.phase === phase && e.builder === `b${b}`);
      for (const e of ex) {
        t.pulled += e.received;
        t.pushed += e.sent;
      }
      const configs = new Set<string>();
      const layerTypes = new Map<string, string>();
      for (const e of ex) {
        if (!e.manifest || e.status !== 200) continue;
        try {
          const m = JSON.parse(e.manifest) as { config?: { digest: string }; layers?: { digest: string; mediaType: string }[] };
          if (m.config) configs.add(m.config.digest);
          for (const l of m.layers ?? []) layerTypes.set(l.digest, l.mediaType);
        } catch {}
      }
      const used = new Set((await Promise.all((res.tags[b] ?? []).map((tag) => layersOf(regHost, tag)))).flat());
      for (const e of ex) {
        const m = e.method === "GET" && e.status === 200 ? e.path.match(/\/blobs\/(sha256:[0-9a-f]{64})/) : null;
        if (!m) continue;
        const digest = m[1] as string;
        const type = layerTypes.get(digest);
        const isLayer = type !== undefined ? /tar/.test(type) : !configs.has(digest);
        if (isLayer && !used.has(digest)) {
          t.unusedLayers++;
          t.unusedBytes += e.received;
          t.unusedNames.push(`w${w + 1} b${b} ${digest.slice(7, 19)} ${(e.received / 1e6).toFixed(1)} MB`);
        }
      }
    }
  }
  return t;
}

interface ToolFigures {
  wall: number;
  cpu: number;
  waves: number[];
  run: number;
  cached: number;
  wave2Run: number;
  wave2Cached: number;
  traffic: Traffic;
}

const work = tempDir("bench-fleet");
const strata: Cmd = fromSource ? [process.execPath, ["--", join(repoRoot, "bin/strata.js")]] : [installPackage(work), []];
const tools = [strataTool(strata), buildahTool];
const busybox = join(work, "busybox.tar");
sh("bash", [join(repoRoot, "scripts/busybox-rootfs.sh"), busybox]);
const figures: Record<string, ToolFigures[]> = { strata: [], buildah: [] };
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
console.log(`fleet: ${BUILDERS} builders, 12 images in 2 waves, ${runs} runs; Strata ${fromSource ? "from source (bin/strata.js)" : "as the npm package"} with ${perBuilder ? "a cache ref per builder" : "one cache ref"}, buildah ${sh("buildah", ["--version"]).trim().split(" ")[2]}`);

try {
  for (let r = 1; r <= runs; r++) {
    const reg = await startRegistry();
    const log = new TrafficLog();
    const proxies: CountingProxy[] = [];
    const ns: Netns[] = [];
    const dir = join(work, `run${r}`);
    mkdirSync(dir);
    try {
      for (let b = 0; b < BUILDERS; b++) {
        const p = await startCountingProxy(reg.port, `b${b}`, log);
        proxies.push(p);
        ns.push(createNetns(dir, `ns${b}`, [[reg.port, p.port]]));
      }
      // The shared base, pushed from the host straight to the registry (not counted).
      const base = `${reg.host}/fleet/busybox:latest`;
      const setup = join(dir, "setup-root");
      sh(strata[0], [...strata[1], "--root", setup, "import", busybox, base]);
      sh(strata[0], [...strata[1], "--root", setup, "push", "-q", base]);
      const plan: Plan = makeWork(join(dir, "work"), base);
      const order = r % 2 === 1 ? tools : [...tools].reverse();
      for (const tool of order) {
        const stores = Array.from({ length: BUILDERS }, (_, b) => join(dir, `${tool.name}-b${b}`));
        const results: WaveResult[] = [];
        for (const [w, images] of plan.entries()) {
          log.phase = `${tool.name}-w${w + 1}`;
          results.push(await wave(tool, images, stores, ns, reg.host));
        }
        log.phase = "after";
        const t = await traffic(log.exchanges, tool.name, results, reg.host);
        if (logFile) appendFileSync(logFile, log.exchanges.filter((e) => e.phase.startsWith(tool.name)).map((e) => `${JSON.stringify({ run: r, ...e, manifest: undefined })}\n`).join(""));
        for (const s of stores) tool.cleanup(s);
        const [w1, w2] = results as [WaveResult, WaveResult];
        const f: ToolFigures = { wall: w1.wall + w2.wall, cpu: w1.cpu + w2.cpu, waves: [w1.wall, w2.wall], run: w1.run + w2.run, cached: w1.cached + w2.cached, wave2Run: w2.run, wave2Cached: w2.cached, traffic: t };
        (figures[tool.name] as ToolFigures[]).push(f);
        console.log(
          `run ${r} ${tool.name.padEnd(7)} wall ${f.wall.toFixed(1)} s (wave 1 ${w1.wall.toFixed(1)} s, wave 2 ${w2.wall.toFixed(1)} s), CPU ${f.cpu.toFixed(1)} s; steps run ${f.run}, cached ${f.cached} (wave 2: ${w2.run} run, ${w2.cached} cached); pulled ${mb(t.pulled)}, pushed ${mb(t.pushed)}; layers downloaded and not in the builder's images: ${t.unusedLayers} (${mb(t.unusedBytes)})`,
        );
        for (const n of t.unusedNames) console.log(`    unused: ${n}`);
      }
    } finally {
      for (const n of ns) n.close();
      for (const p of proxies) await p.close();
      await reg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const med = (tool: string, pick: (f: ToolFigures) => number) => median((figures[tool] as ToolFigures[]).map(pick));
  console.log("\nmedians over runs:");
  for (const tool of ["strata", "buildah"]) {
    const hit = med(tool, (f) => f.cached / (f.run + f.cached));
    const hit2 = med(tool, (f) => f.wave2Cached / (f.wave2Run + f.wave2Cached));
    console.log(
      `  ${tool.padEnd(7)} wall ${med(tool, (f) => f.wall).toFixed(1)} s (wave 1 ${med(tool, (f) => f.waves[0] as number).toFixed(1)} s, wave 2 ${med(tool, (f) => f.waves[1] as number).toFixed(1)} s), CPU ${med(tool, (f) => f.cpu).toFixed(1)} s; steps run ${med(tool, (f) => f.run)}; hit ratio ${(hit * 100).toFixed(0)}% (wave 2: ${(hit2 * 100).toFixed(0)}%); pulled ${mb(med(tool, (f) => f.traffic.pulled))}, pushed ${mb(med(tool, (f) => f.traffic.pushed))}; unused layer downloads ${med(tool, (f) => f.traffic.unusedLayers)} (${mb(med(tool, (f) => f.traffic.unusedBytes))})`,
    );
  }
  const ratio = med("strata", (f) => f.wall) / med("buildah", (f) => f.wall);
  const unused = (figures.strata as ToolFigures[]).reduce((a, f) => a + f.traffic.unusedLayers, 0);
  console.log(`\nverdict: fleet wall ${ratio.toFixed(2)}× buildah's (target ≤ 0.6): ${ratio <= 0.6 ? "met" : "missed"}; Strata layers downloaded and not used, all runs: ${unused} (target 0): ${unused === 0 ? "met" : "missed"}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
