import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalImageRef } from "../../compiler/ir/image-ref.ts";
import { parseRemote } from "../../runtime/registry/reference.ts";
import { skopeoInspect, useSmallBuilds } from "../helpers/small-builds.ts";
import { type CliResult, strata } from "../helpers/strata.ts";

/**
 * Issue 17, item 15: `docker.io/`, `index.docker.io/` and `library/` are
 * normalised wherever a reference is read, as docker's ParseNormalizedNamed
 * does: `FROM docker.io/busybox:latest` uses the stored `busybox:latest`
 * (no pull: this machine reaches no registry, so a pull attempt fails the
 * build), the cache keys do not depend on the spelling, and tag, run,
 * inspect, rmi and `-t` file and find images under the canonical name.
 */

const SPELLINGS = ["busybox", "busybox:latest", "library/busybox", "docker.io/busybox", "docker.io/library/busybox:latest", "index.docker.io/busybox", "index.docker.io/library/busybox:latest"];

describe("one spelling per image reference", () => {
  it("every spelling of an official image is the same name, for the graph and for the registry client", () => {
    for (const s of SPELLINGS) {
      expect(canonicalImageRef(s)).toBe("busybox:latest");
      const r = parseRemote(s);
      expect([r.registry, r.host, r.repository, r.reference]).toEqual(["docker.io", "registry-1.docker.io", "library/busybox", "latest"]);
    }
    expect(canonicalImageRef("docker.io/debian:9.11")).toBe("debian:9.11");
    expect(canonicalImageRef("docker.io/me/app:1")).toBe("me/app:1");
    expect(canonicalImageRef("localhost:5000/app")).toBe("localhost:5000/app:latest");
    expect(parseRemote("localhost:5000/app").repository).toBe("app");
  });
});

describe("docker.io spellings against the store", () => {
  const builds = useSmallBuilds("norm-refs");

  const build = (name: string, dockerfile: string, tag = `${name}:t`): CliResult => builds.build(name, dockerfile, { tag });

  const uses = (base: string, mountFrom: string, copyFrom: string): string =>
    [`FROM ${base}`, `RUN --mount=from=${mountFrom},target=/m cat /m/etc/passwd > /p`, `COPY --from=${copyFrom} /bin/busybox /bb`, ""].join("\n");

  it("FROM, RUN --mount from= and COPY --from with docker.io spellings use the stored busybox:latest, and keys do not depend on the spelling", () => {
    const a = build("spell-a", uses("docker.io/busybox:latest", "index.docker.io/library/busybox", "docker.io/library/busybox:latest"));
    expect(a.stderr).not.toMatch(/ERROR|IMG001|registry-1\.docker\.io/);
    expect(a.code).toBe(0);
    // One spelling whatever the Dockerfile wrote: the full name, as BuildKit's FROM vertex has it.
    expect(a.stderr).toMatch(/FROM docker\.io\/library\/busybox:latest\n/);
    const b = build("spell-b", uses("busybox", "busybox:latest", "busybox"));
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/0 steps run, 2 cached/);
  });

  it("-t, tag, inspect, run and rmi read docker.io/ and library/ as docker does", () => {
    const b = build("tagged", "FROM busybox:latest\nLABEL x=1\n", "docker.io/library/built:1");
    expect(b.code).toBe(0);
    const index = JSON.parse(readFileSync(join(builds.root, "index.json"), "utf8")) as { manifests: { annotations?: Record<string, string> }[] };
    const names = index.manifests.map((m) => m.annotations ?? {});
    expect(names).toContainEqual({ "io.containerd.image.name": "docker.io/library/built:1", "org.opencontainers.image.ref.name": "built:1" });
    expect(skopeoInspect<{ config: { Labels: Record<string, string> } }>(builds.root, "built:1", "--config").config.Labels).toEqual({ x: "1" });

    expect(strata(builds.root, ["tag", "index.docker.io/library/built:1", "docker.io/me/app:2"]).code).toBe(0);
    expect(strata(builds.root, ["images"]).stdout).toMatch(/^me\/app\s+2\s/m);
    expect(strata(builds.root, ["inspect", "docker.io/built:1"]).stdout).toMatch(/"built:1"/);
    const r = strata(builds.root, ["run", "--rm", "docker.io/library/busybox", "echo", "ran"]);
    expect(r.stdout).toBe("ran\n");
    expect(strata(builds.root, ["rmi", "docker.io/me/app:2"]).code).toBe(0);
    expect(strata(builds.root, ["images"]).stdout).not.toMatch(/^me\/app/m);
  });
});
