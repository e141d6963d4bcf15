/**
 * Issue 17, acceptance: `strata check` accepts BuildKit's and docker/cli's own Dockerfiles.
 * fixtures/buildkit-like.Dockerfile is ours, written with the constructs those files use
 * (`# syntax=`, global ARGs in FROM, many named stages, FROM --platform=$BUILDPLATFORM,
 * ARG TARGETOS TARGETARCH, a stage chosen by `FROM binaries-$TARGETOS`, `RUN --mount=from=<stage>` and `--mount=ro` without target, cache
 * mounts with id and sharing, bind mounts with source, a secret, a tmpfs inside a read-only
 * bind, heredocs, COPY --link --from). It is checked, explained and built; before issue 17 a
 * bind mount without target was `error[DF029]: bind mount requires a target`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox, strata, tempDir } from "../helpers/strata.ts";

describe("a Dockerfile with BuildKit's and docker/cli's constructs", () => {
  let root: string;
  let cleanup: () => void;
  let ctx: string;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("buildkit-like"));
    ctx = tempDir("buildkit-like-ctx");
    copyFileSync(join(repoRoot, "specs/dockerfile/fixtures/buildkit-like.Dockerfile"), join(ctx, "Dockerfile"));
    writeFileSync(join(ctx, "go.mod"), "module example.test/tool\n");
    writeFileSync(join(ctx, "VERSION"), "1.2.3\n");
    // docker/cli's tree has the tmpfs target (cli/winresources) inside the read-only bind of the context.
    mkdirSync(join(ctx, "winresources"));
  });
  afterAll(() => cleanup());

  it("strata check: no errors, no warnings", () => {
    const r = strata(root, ["check", join(ctx, "Dockerfile")]);
    expect(r.stdout + r.stderr).not.toMatch(/error\[/);
    expect(r.stdout + r.stderr).toMatch(/0 errors, 0 warnings/);
    expect(r.code).toBe(0);
  });

  it("strata explain: every stage and layer planned, the targetless mounts included", () => {
    interface Plan {
      stages: { name?: string; used: boolean }[];
      instructions: { text: string; becomes: string; layer: number | null }[];
    }
    const explain = (...extra: string[]): Plan => {
      const r = strata(root, ["explain", "--offline", "--format", "json", ...extra, ctx]);
      expect(r.stderr).not.toMatch(/error\[/);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Plan;
    };
    const release = explain();
    expect(release.stages.filter((s) => s.used).map((s) => s.name)).toEqual(["xx", "gobase", "version", "build", "binaries-linux", "binaries", "integration-tests-base", "release"]);
    expect(release.instructions.find((i) => i.text.startsWith("RUN --mount=from=binaries"))?.layer).not.toBeNull();
    const lint = explain("--target", "lint");
    expect(lint.instructions.find((i) => i.text.startsWith("RUN --mount=ro"))?.layer).not.toBeNull();
  });

  it("strata build: the stage bound at WORKDIR is read, and the image runs", () => {
    const b = strata(root, ["build", "-t", "buildkit-like", ctx]);
    expect(b.code, b.stderr).toBe(0);
    const r = strata(root, ["run", "--rm", "buildkit-like"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`tool linux/${process.arch === "arm64" ? "arm64" : "amd64"} netgo osusergo`);
  });
});
