/**
 * Issue 18 item 7: `history`'s CREATED BY and COMMENT as BuildKit writes them. dockerfile2llb's
 * runCommandString puts the stage's declared build args before a RUN's command,
 * `RUN |<n> K=V … /bin/sh -c …` (the value the step sees: an ENV of the same name wins), and
 * commitToHistory gives every entry the comment `buildkit.dockerfile.v0`, which `docker history`
 * shows in its COMMENT column. One difference, on purpose: an arg whose name the secrets rule
 * flags (SecretsUsedInArgOrEnv: TOKEN, DB_PASSWORD, …) is left out of the list, name and value.
 */
import { describe, expect, it } from "vitest";
import { useSmallBuilds } from "../helpers/small-builds.ts";
import { strata } from "../helpers/strata.ts";

const builds = useSmallBuilds("history-bk");

function history(ref: string): { CreatedBy: string; Comment: string; Size: string }[] {
  const r = strata(builds.root, ["history", "--no-trunc", "--format", "json", ref]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { CreatedBy: string; Comment: string; Size: string });
}

describe("history as BuildKit writes it", () => {
  it("RUN lists the build args it sees as |N K=V, without secret-named ones; every entry says buildkit.dockerfile.v0", () => {
    const df = "FROM busybox\nARG K=v\nARG DB_PASSWORD\nARG TOKEN\nARG E=a\nENV E=env\nRUN echo $K > /f\n";
    const b = builds.build("bkhist", df, { args: ["--build-arg", "TOKEN=hunter2", "--build-arg", "DB_PASSWORD=pw1234"] });
    expect(b.code, b.stderr).toBe(0);
    const h = history("bkhist:t");
    expect(h.slice(0, 6).map((e) => e.CreatedBy)).toEqual(["RUN |2 K=v E=env /bin/sh -c echo $K > /f # buildkit", "ENV E=env", "ARG E=a", "ARG TOKEN", "ARG DB_PASSWORD", "ARG K=v"]);
    expect(h.slice(0, 6).map((e) => e.Comment)).toEqual(Array(6).fill("buildkit.dockerfile.v0"));
    expect(JSON.stringify(h)).not.toMatch(/hunter2|pw1234/);
  });

  it("a RUN with no build args in scope is the command alone, and the table shows the comment", () => {
    const b = builds.build("bkplain", "FROM busybox\nRUN echo hi > /g\n");
    expect(b.code, b.stderr).toBe(0);
    expect(history("bkplain:t")[0]?.CreatedBy).toBe("RUN /bin/sh -c echo hi > /g # buildkit");
    const table = strata(builds.root, ["history", "bkplain:t"]).stdout.split("\n");
    expect(table[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(table[1]).toMatch(/RUN \/bin\/sh -c echo hi > \/g # buildkit\s+\S+\s+buildkit\.dockerfile\.v0$/);
  });
});
