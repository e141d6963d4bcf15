/**
 * Platform honesty before anything runs: the config says the platform of the layers (lowering
 * refuses a base of another platform than asked for, LW011), so what is left is whether this
 * machine can run a stage's RUNs. It runs its own platform (and 386 on amd64), and any platform
 * an emulator is registered for in binfmt_misc (qemu-user-static's handlers); a RUN of any other
 * platform is refused here, with what to install, instead of failing with "exec format error".
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BuildGraph, Stage } from "../../../compiler/ir/graph.ts";
import { hostPlatform, platformMatches } from "../../../compiler/lower/platform.ts";
import type { PlanWarning } from "./checks.ts";

const BINFMT = "/proc/sys/fs/binfmt_misc";

/** qemu's names for the CPUs it emulates → OCI platforms (qemu-arm runs ARMv7 and ARMv6 programs, as buildx lists it). */
const QEMU: Record<string, readonly string[]> = {
  aarch64: ["linux/arm64"],
  arm: ["linux/arm/v7", "linux/arm/v6"],
  x86_64: ["linux/amd64"],
  i386: ["linux/386"],
  ppc64le: ["linux/ppc64le"],
  s390x: ["linux/s390x"],
  riscv64: ["linux/riscv64"],
  mips64el: ["linux/mips64le"],
  loongarch64: ["linux/loong64"],
};

/** The platforms enabled binfmt_misc handlers run (qemu-aarch64, aarch64-binfmt-P, …). */
async function emulated(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name === "register" || name === "status") continue;
    const text = await readFile(join(dir, name), "utf8").catch(() => "");
    if (!/^enabled$/m.test(text)) continue;
    const interpreter = /^interpreter (.+)$/m.exec(text)?.[1] ?? "";
    const words = `${name} ${interpreter}`;
    const cpu = /qemu-([a-z0-9_]+?)(?:-static)?(?:\s|$)/.exec(words)?.[1] ?? /([a-z0-9_]+)-binfmt/.exec(words)?.[1];
    const p = cpu === undefined ? undefined : QEMU[cpu];
    if (p !== undefined) out.push(...p);
  }
  return out;
}

/** What this machine can run: its own platform, 386 on amd64, and what an emulator is registered for. */
export async function runnablePlatforms(arch: string = process.arch, dir: string = BINFMT): Promise<{ host: string; runnable: string[] }> {
  const host = hostPlatform(arch);
  return { host, runnable: [host, ...(host === "linux/amd64" ? ["linux/386"] : []), ...(await emulated(dir))] };
}

/** A fatal warning for each stage whose RUNs this machine cannot run, at its first RUN. */
export function platformWarnings(graph: BuildGraph, order: readonly number[], machine: { host: string; runnable: readonly string[] }): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const i of order) {
    const stage = graph.stages[i] as Stage;
    const run = stage.steps.find((s) => s.op?.kind === "run");
    if (run === undefined || machine.runnable.some((p) => platformMatches(stage.platform, p))) continue;
    const at = run.sources[0];
    out.push({
      code: "PLAN_PLATFORM",
      fatal: true,
      message: `${at ? `${at.file}:${at.line}: ` : ""}RUN needs ${stage.platform} programs run, and this machine is ${machine.host} with no emulator for ${stage.platform} registered in ${BINFMT}: install one (qemu-user-static; binfmt-support registers it), or build for ${machine.host}`,
    });
  }
  return out;
}
