/**
 * A reader that stops early (`strata parse … | head -c 1`) closes the pipe
 * while strata still writes: strata stops quietly with no stack trace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../helpers/strata.ts";

it("a closed stdout ends strata quietly", () => {
  const dir = mkdtempSync(join(tmpdir(), "strata-pipe-"));
  const df = join(dir, "Dockerfile");
  // Far more JSON than a pipe buffers (64 KiB), so writes go on after head has exited.
  writeFileSync(df, `FROM scratch\n${Array.from({ length: 4000 }, (_, i) => `LABEL k${i}=v${i}\n`).join("")}`);
  const r = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${join(repoRoot, "bin/strata.js")}" parse --format json "${df}" | head -c 1 >/dev/null`], { encoding: "utf8" });
  expect(r.stderr).toBe("");
});
