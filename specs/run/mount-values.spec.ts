/**
 * Issue 17, items 1, 2 and 7: RUN as BuildKit takes it.
 * - 1: a `--mount` without target mounts at the working directory (bind, cache and tmpfs),
 *   as dockerfile2llb joins an empty target to WORKDIR; at `/` it is BuildKit's
 *   `invalid mount target "/"`.
 * - 2: mount values expand with the stage's ARG/ENV before they are validated
 *   (`type=$MNT_TYPE`, `readonly=$RO`, `target=$DIR`); `from=` refuses variables in BuildKit's words.
 * - 7: a bare `RUN` runs `/bin/sh -c ''`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata } from "../helpers/strata.ts";
import { build, configText, context, output, removeTemps } from "./helpers.ts";

describe("RUN --mount values and a bare RUN, as BuildKit", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("run-mount-values"));
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });

  it("item 1: --mount=from=<stage> (and a bare ro bind, cache, tmpfs) without target mounts at WORKDIR", () => {
    const r = build(
      root,
      "no-target",
      [
        "FROM busybox:latest AS binaries",
        "RUN mkdir -p /out && echo tool-bin > /out/tool",
        "FROM busybox:latest",
        "WORKDIR /src",
        "RUN --mount=from=binaries cat /src/out/tool",
        "RUN --mount=ro cat /src/ctx.txt",
        "RUN --mount=type=cache,id=mv-cache echo cached > /src/c && ls /src",
        "RUN --mount=type=cache,id=mv-cache cat /src/c",
        "RUN --mount=type=tmpfs touch /src/scratch && ls /src",
        "RUN ls -a /src | grep -v '^\\.' | wc -l",
        "",
      ].join("\n"),
      { "ctx.txt": "from the context\n" },
      ["--no-merge"],
    );
    expect(r.code, r.stderr).toBe(0);
    // The stage, the context, the cache (persisting between RUNs) and the tmpfs, each at /src; none of it in the image.
    expect(output(r)).toEqual(["tool-bin", "from the context", "c", "cached", "scratch", "0"]);
  });

  it('item 1: with WORKDIR / an empty target is BuildKit\'s invalid mount target "/"', () => {
    const ctx = context("no-target-root", { Dockerfile: "FROM busybox:latest\nRUN --mount=type=cache,id=x true\n" });
    const r = strata(root, ["build", ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:2:13: error\[DF029\]: invalid mount target "\/"/);
  });

  it("item 2: type, readonly and target expand with the stage's ARG and ENV before they are validated", () => {
    const df = (word: string) =>
      [
        "FROM busybox:latest",
        "ARG MNT_TYPE=cache",
        "ARG RO=false",
        "ENV DIR=/c",
        `RUN --mount=type=$MNT_TYPE,id=mv-typed,target=$DIR,readonly=$RO echo ${word} >> /c/log && cat /c/log`,
        "",
      ].join("\n");
    const a = build(root, "typed-a", df("one"));
    expect(a.code, a.stderr).toBe(0);
    const b = build(root, "typed-b", df("two"));
    expect(b.code, b.stderr).toBe(0);
    // A cache (it persists), writable (readonly=false), at /c.
    expect(output(b)).toEqual(["one", "two"]);
    // The value as expanded is what is validated, in BuildKit's words and at the flag.
    const bad = context("typed-bad", { Dockerfile: "FROM busybox:latest\nARG MNT_TYPE=cash\nRUN --mount=type=$MNT_TYPE,target=/c true\n" });
    const r = strata(root, ["build", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:3:13: error\[DF029\]: unsupported mount type "cash"/);
    expect(r.stderr).toMatch(/did you mean cache\?/);
    const ro = context("typed-ro", { Dockerfile: "FROM busybox:latest\nARG RO=maybe\nRUN --mount=type=cache,target=/c,ro=$RO true\n" });
    expect(strata(root, ["build", ro]).stderr).toMatch(/Dockerfile:3:13: error\[DF029\]: invalid value "maybe" for readonly/);
  });

  it("item 2: from= with a variable is refused at parse time, as BuildKit", () => {
    const ctx = context("from-var", { Dockerfile: "FROM busybox:latest AS test\nFROM busybox:latest\nENV ttt=test\nRUN --mount=from=$ttt,type=cache,target=/tmp ls\n" });
    const r = strata(root, ["check", `${ctx}/Dockerfile`]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/Dockerfile:4:13: error\[DF029\]: 'from' doesn't support variable expansion, define alias stage instead/);
  });

  it("item 7: a bare RUN is /bin/sh -c '' and builds", () => {
    const r = build(root, "bare-run", "FROM busybox:latest\nRUN\nRUN echo after\n", {}, ["--no-merge"]);
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["after"]);
    const history = (JSON.parse(configText(root, "bare-run")) as { history: { created_by: string }[] }).history;
    expect(history.map((h) => h.created_by)).toContain("RUN /bin/sh -c  # buildkit");
  });
});
