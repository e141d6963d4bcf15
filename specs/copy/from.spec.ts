import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";
import { parseStats, statScript } from "./helpers.ts";

/** COPY --from a stage and from an image: absolute paths inside that root, symlinks followed inside it, owners kept. */
describe("COPY --from", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  let stats: ReturnType<typeof parseStats>;
  let out: string;

  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("copy-from"));
    ctx = tempDir("copy-from");
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        "FROM busybox:latest AS build",
        "RUN mkdir -p /out/sub && echo built > /out/bin && chmod 750 /out/bin && chown 7:8 /out/bin && ln -s /out/bin /out/abs-link && ln -s ../../../../etc/passwd /out/sub/rel && ln -s /out /top-link",
        "FROM busybox:latest",
        `RUN echo "web:x:2000:2001::/:/bin/sh" >> /etc/passwd`,
        "COPY --from=build /out /o",
        "COPY --from=build /top-link/bin /via-link",
        "COPY --from=build /out/abs-link /abs-followed",
        "COPY --from=build --chown=web /out/bin /chowned",
        "COPY --from=busybox:latest /bin/busybox /bb",
        "COPY --from=build --parents /out/./sub /p/",
        "COPY --from=0 ../../../out/bin /climb",
        "",
      ].join("\n"),
    );
    const b = strata(root, ["build", "-t", "copy:from", ctx]);
    if (b.code !== 0) throw new Error(b.stderr);
    const paths = ["/o/bin", "/o/abs-link", "/o/sub/rel", "/via-link", "/abs-followed", "/chowned", "/bb", "/p/sub/rel", "/climb"];
    const r = strata(root, ["run", "--rm", "copy:from", "sh", "-c", `${statScript(paths)}; echo ---; cat /via-link /abs-followed /climb`]);
    if (r.code !== 0) throw new Error(r.stderr);
    const [s, c] = r.stdout.split("---\n");
    stats = parseStats(s as string);
    out = c as string;
  });
  afterAll(() => cleanup());

  const st = (p: string) => {
    const v = stats.get(p);
    if (v === undefined || v === "missing") throw new Error(`${p} is missing`);
    return v;
  };

  it("copies a stage's directory contents keeping modes, owners and symlinks", () => {
    expect(st("/o/bin")).toMatchObject({ type: "regular file", mode: "750", owner: "7:8" });
    expect(st("/o/abs-link").type).toBe("symbolic link");
    expect(st("/o/sub/rel").type).toBe("symbolic link");
  });

  it("follows symlinks in the source path inside the stage's root", () => {
    expect(st("/via-link").type).toBe("regular file");
    expect(st("/abs-followed").type).toBe("regular file");
    expect(out).toBe("built\nbuilt\nbuilt\n");
  });

  it("resolves --chown names in the destination's /etc/passwd", () => {
    expect(st("/chowned").owner).toBe("2000:2001");
  });

  it("copies from an image, from a stage by index, and with --parents", () => {
    expect(st("/bb")).toMatchObject({ type: "regular file", mode: "755" });
    expect(st("/p/sub/rel").type).toBe("symbolic link");
    expect(st("/climb").type).toBe("regular file");
  });

  it("names the stage or image a missing source was looked for in", () => {
    const df = join(ctx, "Dockerfile.bad");
    writeFileSync(df, "FROM busybox:latest AS build\nFROM busybox:latest\nCOPY --from=build /nope /x\n");
    const r = strata(root, ["build", "-f", df, ctx]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('COPY failed: "/nope": not found in stage 0');
    writeFileSync(df, "FROM busybox:latest\nCOPY --from=busybox:latest /nope /x\n");
    const i = strata(root, ["build", "-f", df, ctx]);
    expect(i.stderr).toContain('COPY failed: "/nope": not found in image busybox:latest');
  });
});
