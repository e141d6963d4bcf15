import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** `ctx/rootfs-ARCH.tar`: busybox and its applet links (scripts/busybox-rootfs.sh), arm64's from Debian's busybox-static:arm64. */
function rootfsTarball(ctx: string, arch: "amd64" | "arm64"): void {
  const out = join(ctx, `rootfs-${arch}.tar`);
  if (existsSync(out)) return;
  const busybox = arch === "arm64" ? [join(spawnSync("bash", [join(repo, "scripts/foreign-busybox.sh"), "arm64"], { encoding: "utf8" }).stdout.trim(), "bin/busybox")] : [];
  const r = spawnSync("bash", [join(repo, "scripts/busybox-rootfs.sh"), out, ...busybox], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`scripts/busybox-rootfs.sh ${out} failed`);
}

/**
 * A benchmark scenario: a context writer, its base image, the file to touch, and the ratio
 * targets (issues 6 and 14). A scenario with `edit` changes its Dockerfile instead of
 * touching a file (a new build each run) and is also built by Strata with --no-merge, whose
 * rebuild the merged one is compared with (`vsNoMerge`). Targets of issue 16: tiny warm ≤ 0.3×,
 * debian-ssh and argbase warm ≤ 1.0×.
 */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly base: "busybox" | "debian" | "busybox-arm64";
  /** `--platform` of the base's import and of every build (a RUN of a foreign one runs under qemu-user-static). */
  readonly platform?: string;
  /** `--platform` of the builds only, when it differs from the base's import: several platforms (a multi-platform build). */
  readonly buildPlatforms?: string;
  readonly baseName: string;
  readonly touch: string;
  /** The Dockerfile's path relative to the context when it is not `Dockerfile` inside it (built with `-f`). */
  readonly dockerfile?: string;
  readonly targets: { cold?: number; warm?: number; touched?: number; vsNoMerge?: number };
  write(ctx: string): void;
  /** Rewrites the Dockerfile for the third build of run `n` (the "touched" column is then an edit). */
  edit?(ctx: string, n: number): void;
}

function sshDockerfile(from: string): string {
  return [from, "RUN apt-get update && apt-get install -y --no-install-recommends openssh-server procps iproute2 && rm -rf /var/lib/apt/lists/*", 'CMD ["/usr/sbin/sshd", "-D"]', ""].join("\n");
}

function editRunDockerfile(last: string): string {
  return [
    "FROM debian:bookworm",
    "RUN apt-get update && apt-get install -y --no-install-recommends openssh-server",
    "RUN mkdir -p /run/sshd",
    `RUN ${last}`,
    'CMD ["/usr/sbin/sshd", "-D"]',
    "",
  ].join("\n");
}

/** A deterministic pseudo-random buffer (xorshift), so contexts are the same every run. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "arm64",
    description: "arm64 busybox base (Debian's busybox-static:arm64), 3 RUNs under qemu-user-static, a COPY, CMD; --platform linux/arm64",
    base: "busybox-arm64",
    baseName: "busybox-arm64:latest",
    platform: "linux/arm64",
    touch: "app.txt",
    targets: { cold: 1.0, warm: 1.0, touched: 1.0 },
    write(ctx) {
      writeFileSync(
        join(ctx, "Dockerfile"),
        ["FROM busybox-arm64:latest", "RUN uname -m > /machine", "RUN sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo $i > /count'", "RUN ls /bin | wc -l > /applets", "COPY app.txt /app/", 'CMD ["cat", "/machine"]', ""].join("\n"),
      );
      writeFileSync(join(ctx, "app.txt"), "arm64\n");
    },
  },
  {
    name: "multiarch",
    description: "--platform linux/amd64,linux/arm64: a FROM --platform=$BUILDPLATFORM stage both share (a rootfs ADD, a RUN), then per platform a rootfs ADD, 2 RUNs (arm64's under qemu-user-static), a COPY --from and a COPY; buildah --manifest",
    base: "busybox",
    baseName: "busybox:latest",
    buildPlatforms: "linux/amd64,linux/arm64",
    touch: "app.txt",
    targets: { cold: 1.0, warm: 1.0, touched: 1.0 },
    write(ctx) {
      rootfsTarball(ctx, "amd64");
      rootfsTarball(ctx, "arm64");
      writeFileSync(
        join(ctx, "Dockerfile"),
        [
          // A native stage (buildah's multi-platform build finds no local image by a short name, so both start from the context's rootfs).
          "FROM --platform=$BUILDPLATFORM scratch AS gen",
          "ARG BUILDARCH",
          "ADD rootfs-$BUILDARCH.tar /",
          "RUN sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo generated $i > /gen'",
          "FROM scratch",
          "ARG TARGETARCH",
          "ADD rootfs-$TARGETARCH.tar /",
          "RUN uname -m > /machine",
          "RUN ls /bin | wc -l > /applets",
          "COPY --from=gen /gen /gen",
          "COPY app.txt /app/",
          'CMD ["cat", "/machine"]',
          "",
        ].join("\n"),
      );
      writeFileSync(join(ctx, "app.txt"), "multiarch\n");
    },
  },
  {
    name: "tiny",
    description: "busybox base, 5 RUNs, ENV, WORKDIR, a COPY, CMD",
    base: "busybox",
    baseName: "busybox:latest",
    touch: "app.txt",
    targets: { cold: 0.3, warm: 0.3 },
    write(ctx) {
      writeFileSync(
        join(ctx, "Dockerfile"),
        ["FROM busybox:latest", "ENV APP=tiny", "RUN echo one > /one", "RUN echo two > /two", "RUN echo three > /three", "RUN echo four > /four", "RUN echo five > /five", "WORKDIR /app", "COPY app.txt ./", 'CMD ["cat", "/app/app.txt"]', ""].join("\n"),
      );
      writeFileSync(join(ctx, "app.txt"), "tiny\n");
    },
  },
  {
    name: "bigctx",
    description: "COPY of a generated 10,000-file, 200 MB context",
    base: "busybox",
    baseName: "busybox:latest",
    touch: "d00/f0000.bin",
    targets: { cold: 0.4, warm: 0.15 },
    write(ctx) {
      writeFileSync(join(ctx, "Dockerfile"), "FROM busybox:latest\nCOPY . /data/\n");
      const chunk = bytes(40 * 1024, 7);
      for (let d = 0; d < 100; d++) {
        const dir = join(ctx, `d${String(d).padStart(2, "0")}`);
        mkdirSync(dir);
        for (let f = 0; f < 100; f++) {
          const n = d * 100 + f;
          const size = 10 * 1024 + ((n * 7919) % (30 * 1024));
          const data = Buffer.concat([Buffer.from(`${n}\n`), chunk.subarray(0, size)]);
          writeFileSync(join(dir, `f${String(n).padStart(4, "0")}.bin`), data);
        }
      }
    },
  },
  {
    name: "multistage",
    description: "two independent stages and a final stage copying from both",
    base: "busybox",
    baseName: "busybox:latest",
    touch: "a.txt",
    targets: { cold: 0.8 },
    write(ctx) {
      writeFileSync(
        join(ctx, "Dockerfile"),
        [
          "FROM busybox:latest AS a",
          "COPY a.txt /src/a.txt",
          "RUN mkdir /out && for i in $(seq 1 200); do cat /src/a.txt >> /out/a.txt; done",
          "FROM busybox:latest AS b",
          "RUN mkdir /out && for i in $(seq 1 200); do echo b$i >> /out/b.txt; done",
          "FROM busybox:latest",
          "COPY --from=a /out/a.txt /a.txt",
          "COPY --from=b /out/b.txt /b.txt",
          'CMD ["cat", "/a.txt", "/b.txt"]',
          "",
        ].join("\n"),
      );
      writeFileSync(join(ctx, "a.txt"), "a line of stage a\n");
    },
  },
  {
    name: "debian-ssh",
    description: "a debootstrap'd Debian base, apt-get install openssh-server procps iproute2",
    base: "debian",
    baseName: "debian:bookworm",
    touch: "Dockerfile",
    targets: { cold: 1.0, warm: 1.0 },
    write(ctx) {
      writeFileSync(join(ctx, "Dockerfile"), sshDockerfile("FROM debian:bookworm"));
    },
  },
  {
    name: "argbase",
    description: "debian-ssh with an ARG-named base (`ARG BASE`, `FROM $BASE`) and `-f` outside the context",
    base: "debian",
    baseName: "debian:bookworm",
    touch: "../argbase.Dockerfile",
    dockerfile: "../argbase.Dockerfile",
    targets: { warm: 1.0 },
    write(ctx) {
      writeFileSync(join(ctx, "../argbase.Dockerfile"), sshDockerfile("ARG BASE=debian:bookworm\nFROM $BASE"));
    },
  },
  {
    name: "edit-run",
    description: "Debian base, apt-get install openssh-server, two small RUNs; the last RUN edited before the third build",
    base: "debian",
    baseName: "debian:bookworm",
    touch: "Dockerfile",
    targets: { touched: 1.0, vsNoMerge: 1.1 },
    write(ctx) {
      writeFileSync(join(ctx, "Dockerfile"), editRunDockerfile("echo 'PermitRootLogin no' >> /etc/ssh/sshd_config"));
    },
    edit(ctx, n) {
      writeFileSync(join(ctx, "Dockerfile"), editRunDockerfile(`echo 'PermitRootLogin no' >> /etc/ssh/sshd_config && echo edit-${n} > /etc/edited`));
    },
  },
];
