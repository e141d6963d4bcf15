/**
 * The differential cases: each is a directory under cases/ (Dockerfile + context) built by Strata
 * and by buildah. Where Debian's buildah 1.28 departs from the Dockerfile reference, the case says
 * what the reference builds instead: `referenceDockerfile` (an equivalent Dockerfile buildah can
 * build) or `expected` (the config fields and paths whose reference value differs), each with a
 * comment saying why.
 */
import type { DifferentialInput } from "./harness.ts";

export type DifferentialCase = Omit<DifferentialInput, "dir" | "name"> & {
  /** Directory under cases/ (default: the case name). */
  readonly dir?: string;
};

export const cases: Readonly<Record<string, DifferentialCase>> = {
  // ENV with several assignments expands with the environment from before the instruction
  // (the reference's `ENV abc=bye def=$abc` example gives def=hello): buildah's C=-x is right.
  config: {},
  "env-arg-scoping": { buildArgs: { FROMCLI: "cli-value", GLOBAL: "from-cli" } },
  workdir: {
    expected: {
      // buildah 1.28 creates a WORKDIR only when a later RUN/COPY in the stage needs it; the
      // reference (BuildKit) creates every WORKDIR as its own step, owned by the USER then
      // in force, so /a/b/c/d (left by `WORKDIR ../e` before anything used it) and the last one,
      // made as root, are in the image too.
      files: {
        "/a/b/c/d": { type: "dir", mode: "0755", uid: 0, gid: 0 },
        "/owned/by/www/root-made": { type: "dir", mode: "0755", uid: 0, gid: 0 },
      },
    },
  },
  // The process's groups include its primary gid (BuildKit's executor adds it to AdditionalGids,
  // as containerd does for docker run); buildah does the same, so `id` shows groups=... for all.
  user: {},
  "copy-basic": {},
  "copy-symlinks": { context: "testdata" },
  "copy-chown-chmod": {},
  "copy-from": {},
  dockerignore: {},
  "add-tar": {},
  "run-basic": {},
  "run-mounts": {
    expected: {
      // buildah 1.28 leaves the directories it created for mount targets (/mnt for /mnt/stage,
      // /var/cache for /var/cache/app) in the layer; the reference (BuildKit) removes every
      // mount stub it created, parents included, so they are not in the image.
      files: { "/mnt": null, "/var/cache": null },
    },
  },
  "multi-stage": { target: "two" },
  "onbuild-stage": {
    // buildah 1.28 does not run the ONBUILD triggers of a stage another stage is FROM; the
    // reference does (they run at the start of the downstream stage), as this equivalent file.
    referenceDockerfile: "Dockerfile.reference",
  },
  "onbuild-image": {
    before: [{ context: "base", tag: "onbuild-base:latest" }],
  },
  heredoc: {
    // buildah 1.28 has no here-documents; the equivalent file builds what the reference does.
    referenceDockerfile: "Dockerfile.reference",
  },
  "escape-directive": {
    expected: {
      // buildah 1.28 drops backslashes from ENV and LABEL values under `# escape=\``; with that
      // directive a backslash is an ordinary character, so the reference keeps them.
      config: {
        Env: [
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "WINPATH=C:\\Programs\\app",
          "OTHER=a\\b",
          "THIRD=c:\\",
        ],
        Labels: { path: "C:\\data" },
      },
      // buildah creates a WORKDIR only when a later step needs it; BuildKit makes every one.
      files: { "/xy": { type: "dir", mode: "0755", uid: 0, gid: 0 } },
    },
  },
  "entrypoint-exec": { dir: "entrypoint-cmd", target: "exec-forms" },
  "entrypoint-cmd-exec": { dir: "entrypoint-cmd", target: "with-cmd" },
  "entrypoint-cmd-shell": { dir: "entrypoint-cmd", target: "shell-forms" },
  healthcheck: { dir: "healthcheck-shell", target: "checks" },
  "healthcheck-exec": { dir: "healthcheck-shell", target: "exec-check" },
  "healthcheck-none": { dir: "healthcheck-shell", target: "no-check" },
  shell: {
    dir: "healthcheck-shell",
    target: "shell",
    expected: {
      // buildah 1.28 writes CMD's shell form with /bin/sh -c whatever SHELL says; the reference:
      // "SHELL ... affects the shell form of RUN, CMD and ENTRYPOINT".
      config: { Cmd: ["/bin/busybox", "sh", "-c", 'echo "cmd under the new shell"'] },
    },
  },
};
