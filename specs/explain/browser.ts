/**
 * Headless Chromium for the html report specs: Debian's /usr/bin/chromium driven by
 * playwright-core (no browser download). Absent outside CI, a spec skips with a notice on
 * stderr; in CI (CI is set) it fails instead, as scripts/test.sh installs it. Screenshots go to
 * $STRATA_ARTIFACTS (default artifacts/ at the repo root, git-ignored), CI's artifact folder.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { repoRoot } from "../helpers/strata.ts";

export const CHROMIUM = process.env.STRATA_CHROMIUM ?? "/usr/bin/chromium";

/** Whether the specs can run; says why not on stderr (and throws in CI, where it must be there). */
export function haveChromium(spec: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${spec}: ${CHROMIUM} is missing (CI is set: scripts/test.sh installs chromium)`);
  process.stderr.write(`${spec}: skipped, ${CHROMIUM} is not installed (apt-get install chromium)\n`);
  return false;
}

export function launch(): Promise<Browser> {
  // As root, Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
}

/** The folder CI keeps: screenshots are written here. */
export function artifactsDir(): string {
  const dir = process.env.STRATA_ARTIFACTS ?? join(repoRoot, "artifacts");
  mkdirSync(dir, { recursive: true });
  return dir;
}
