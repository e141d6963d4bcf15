import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEntry } from "../../runtime/container/log-file.ts";
import { JsonLogWriter } from "../../runtime/container/monitor/log-writer.ts";
import { logTime } from "../../runtime/cli/log-time.ts";
import { repoRoot, strata, tempDir } from "../helpers/strata.ts";
import { eventually, sleep } from "./helpers.ts";
import { busyboxStore } from "./store-fixture.ts";

/** A container's log: docker's json-file entries with stream and time, bounded by rotation; `logs` reads them back. */
describe("container logs", () => {
  it("writes one entry per line, partial lines after a pause, and rotates within its bounds", async () => {
    const dir = tempDir("json-log");
    try {
      const path = join(dir, "json.log");
      const w = new JsonLogWriter(path, { maxBytes: 4096, maxFiles: 3 });
      w.write("stdout", Buffer.from("one\ntw"));
      w.write("stderr", Buffer.from("err\n"));
      w.write("stdout", Buffer.from("o\n"));
      w.write("stdout", Buffer.from("prompt$ "));
      await sleep(250);
      const first = readFileSync(path, "utf8").trim().split("\n").map((l) => parseEntry(l));
      expect(first.map((e) => [e?.stream, e?.log])).toEqual([
        ["stdout", "one\n"],
        ["stderr", "err\n"],
        ["stdout", "two\n"],
        ["stdout", "prompt$ "],
      ]);
      expect(first[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      for (let i = 0; i < 1000; i++) w.write("stdout", Buffer.from(`line ${i}\n`));
      w.close();
      expect(readdirSync(dir).sort()).toEqual(["json.log", "json.log.1", "json.log.2"]);
      for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(4096);
      const last = readFileSync(path, "utf8").trim().split("\n").map((l) => parseEntry(l)?.log);
      expect(last.at(-1)).toBe("line 999\n");
      expect(readFileSync(join(dir, "json.log.2"), "utf8")).not.toContain('"one\\n"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads --since and --until as docker: durations before now, Unix seconds, RFC 3339", () => {
    const now = Date.parse("2024-03-01T12:00:00Z");
    expect(logTime("since", "10m", now)).toBe(BigInt(now - 600_000) * 1_000_000n);
    expect(logTime("since", "1700000000.5", now)).toBe(1_700_000_000_500_000_000n);
    expect(logTime("until", "2024-03-01T11:00:00.25Z", now)).toBe(BigInt(Date.parse("2024-03-01T11:00:00Z")) * 1_000_000n + 250_000_000n);
    expect(logTime("since", "2024-03-01T11:00:00+01:00", now)).toBe(BigInt(Date.parse("2024-03-01T10:00:00Z")) * 1_000_000n);
    expect(() => logTime("since", "yesterday", now)).toThrow('invalid value for "since": failed to parse value as time or duration: "yesterday"');
  });

  describe("with runc", () => {
    const store = busyboxStore("logs");
    const n = (s: string): string => `${s}-${process.pid}`;

    it("keeps stdout and stderr apart: logs C 2>/dev/null shows only stdout", async () => {
      const name = n("apart");
      expect(strata(store.root, ["run", "-d", "--name", name, "busybox", "sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; sleep 300"]).code).toBe(0);
      await eventually(() => strata(store.root, ["logs", name]).stderr.includes("err2"));
      const onlyOut = spawnSync(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", store.root, "logs", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      expect(onlyOut.stdout).toBe("out1\nout2\n");
      const logs = strata(store.root, ["logs", name]);
      expect(logs.stderr).toBe("err1\nerr2\n");
      expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
    });

    it("--tail/-n, --since, --until and -t select and stamp entries", async () => {
      const name = n("select");
      expect(strata(store.root, ["run", "-d", "--name", name, "busybox", "sh", "-c", "echo a; echo b; echo c; sleep 2; echo d; sleep 300"]).code).toBe(0);
      await eventually(() => strata(store.root, ["logs", name]).stdout.includes("d"), 30_000);
      expect(strata(store.root, ["logs", "--tail", "2", name]).stdout).toBe("c\nd\n");
      expect(strata(store.root, ["logs", "-n", "1", name]).stdout).toBe("d\n");
      expect(strata(store.root, ["logs", "-n", "0", name]).stdout).toBe("");
      expect(strata(store.root, ["logs", "--tail", "all", name]).stdout).toBe("a\nb\nc\nd\n");
      const stamped = strata(store.root, ["logs", "-t", name]).stdout.trim().split("\n");
      for (const line of stamped) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z [abcd]$/);
      const tC = stamped[2]?.split(" ")[0] as string;
      const tD = stamped[3]?.split(" ")[0] as string;
      // d came two seconds after c: a time between them splits the log.
      const between = new Date(Date.parse(tC) + 1000).toISOString();
      expect(strata(store.root, ["logs", "--since", between, name]).stdout).toBe("d\n");
      expect(strata(store.root, ["logs", "--until", between, name]).stdout).toBe("a\nb\nc\n");
      expect(strata(store.root, ["logs", "--since", tD, name]).stdout).toBe("d\n");
      expect(strata(store.root, ["logs", "--since", "10m", "-n", "1", name]).stdout).toBe("d\n");
      expect(strata(store.root, ["logs", "--since", "1h", "--until", "2000-01-01", name]).stdout).toBe("");
      const bad = strata(store.root, ["logs", "--since", "whenever", name]);
      expect(bad.code).toBe(125);
      expect(bad.stderr).toContain('failed to parse value as time or duration: "whenever"');
      expect(strata(store.root, ["rm", "-f", name]).code).toBe(0);
    });

    it("a foreground run prints the streams apart and logs them too", () => {
      const name = n("fg");
      const r = strata(store.root, ["run", "--name", name, "busybox", "sh", "-c", "echo to-out; echo to-err >&2"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("to-out\n");
      expect(r.stderr).toBe("to-err\n");
      const logs = strata(store.root, ["logs", name]);
      expect([logs.stdout, logs.stderr]).toEqual(["to-out\n", "to-err\n"]);
      expect(strata(store.root, ["rm", name]).code).toBe(0);
    });
  });
});
