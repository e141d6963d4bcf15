/**
 * Issue 22 item 5: the add-then-delete warning (PLAN_COPY_THEN_DELETE) comes from the layer-waste
 * analysis `strata layers` uses, after a real build (runc) and in explain once every layer is
 * cached: a COPY then a RUN that deletes it (inside a merged RUN group too: the COPY's layer keeps
 * the bytes), ADD named ADD, a directory COPY then `rm -rf` (one warning for its files), a file a
 * RUN made and a later RUN of another layer deleted. No warning for bytes added and deleted inside
 * one merged group (the merged layer is resolved), nor for a base image's files.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) process.stderr.write("waste-warnings.spec: skipped: builds with runc need root\n");

describe.skipIf(!isRoot)("the add-then-delete warning, from the layers", () => {
  let store: { root: string; cleanup: () => void };
  let ctx: string;

  beforeAll(() => {
    store = storeWithBusybox("waste-warnings");
    ctx = tempDir("waste-warnings-ctx");
    writeFileSync(join(ctx, "app.bin"), Buffer.alloc(300_000, 1));
    writeFileSync(join(ctx, "big.tar"), Buffer.alloc(200_000, 2));
    for (const f of ["a", "b", "c"]) writeFileSync(join(ctx, `tree-${f}`), Buffer.alloc(1000, 3));
  }, 60_000);
  afterAll(() => store.cleanup());

  /** Builds `lines` and returns the warnings it printed, then those explain prints of the same build. */
  function warned(name: string, lines: readonly string[]): { build: string[]; explain: string[] } {
    const file = join(ctx, `${name}.Dockerfile`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const b = strata(store.root, ["build", "--progress", "plain", "-f", file, "-t", `waste-${name}`, ctx]);
    expect(b.code, b.stderr).toBe(0);
    const e = strata(store.root, ["explain", "--format", "json", "-f", file, ctx]);
    expect(e.code, e.stderr).toBe(0);
    const codes = (text: string) => text.split("\n").filter((l) => l.startsWith("warning[PLAN_COPY_THEN_DELETE]: ")).map((l) => l.slice("warning[PLAN_COPY_THEN_DELETE]: ".length));
    return { build: codes(b.stderr), explain: (JSON.parse(e.stdout) as { warnings: string[] }).warnings.filter((w) => / deleted by /.test(w)) };
  }

  it("a COPY deleted by a RUN of a merged group, and ADD said for an ADD", () => {
    const w = warned("copy", ["FROM busybox", "COPY app.bin /app.bin", "ADD big.tar /big.tar", "RUN echo one", "RUN rm /app.bin /big.tar", ""]);
    const expected = [
      `${join(ctx, "copy.Dockerfile")}:5: /app.bin is added by COPY at line 2 and deleted by this RUN; its bytes stay in the COPY layer (300.0 kB)`,
      `${join(ctx, "copy.Dockerfile")}:5: /big.tar is added by ADD at line 3 and deleted by this RUN; its bytes stay in the ADD layer (200.0 kB)`,
    ];
    expect(w.build.sort()).toEqual(expected);
    expect(w.explain.sort()).toEqual(expected);
  });

  it("a directory COPY then rm -rf: one warning for its files", () => {
    const w = warned("tree", ["FROM busybox", "COPY tree-a tree-b tree-c /tree/", "RUN rm -rf /tree", ""]);
    expect(w.build).toEqual([`${join(ctx, "tree.Dockerfile")}:3: /tree/tree-a and 2 more files are added by COPY at line 2 and deleted by this RUN; their bytes stay in the COPY layer (3.0 kB)`]);
  });

  it("a file a RUN made and a RUN of a later layer deleted; none inside one merged group, none for the base's files", () => {
    const split = warned("runs", ["FROM busybox", "RUN head -c 50000 /dev/zero > /made.bin", "# strata:layer", "RUN rm /made.bin", ""]);
    expect(split.build).toEqual([`${join(ctx, "runs.Dockerfile")}:4: /made.bin is added by RUN at line 2 and deleted by this RUN; its bytes stay in the RUN layer (50.0 kB)`]);
    const merged = warned("merged", ["FROM busybox", "RUN head -c 50000 /dev/zero > /made.bin", "RUN rm /made.bin /bin/ls", ""]);
    expect(merged.build).toEqual([]);
    expect(merged.explain).toEqual([]);
  });
});
