import { describe, expect, it } from "vitest";
import type { Instruction } from "../../compiler/dockerfile/ast.ts";
import { errors, parse } from "./helpers.ts";

function one(text: string): Instruction {
  const r = parse(text);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const i = r.instructions[r.instructions.length - 1];
  if (i === undefined) throw new Error("no instruction");
  return i;
}
const codes = (t: string) => errors(t).map((d) => d.code);

describe("typed instructions", () => {
  it("FROM", () => {
    expect(one("FROM --platform=$BUILDPLATFORM golang:1.22 AS build")).toMatchObject({
      kind: "FROM",
      image: { text: "golang:1.22" },
      stageName: { text: "build" },
      platform: { text: "$BUILDPLATFORM" },
    });
    expect(codes("FROM a b")).toEqual(["DF023"]);
    expect(codes("FROM a IS b")).toEqual(["DF025"]);
  });
  it("RUN with mounts, network, security, exec form", () => {
    const r = one(
      "RUN --mount=type=bind,source=.,target=/src,rw --mount=type=cache,target=/c,id=x,sharing=private,mode=0700,uid=1,gid=2 " +
        "--mount=type=tmpfs,target=/t,size=64m --mount=type=secret,id=tok,required,env=TOK --mount=type=ssh --network=host --security=insecure make",
    );
    expect(r).toMatchObject({ kind: "RUN", command: { form: "shell", script: "make" }, network: "host", security: "insecure" });
    if (r.kind !== "RUN") return;
    expect(r.mounts.map((m) => m.literal?.type)).toEqual(["bind", "cache", "tmpfs", "secret", "ssh"]);
    const [m0, m1, m2, m3, m4] = r.mounts.map((m) => m.literal);
    expect(m0).toMatchObject({ source: ".", target: "/src", readonly: false });
    expect(m1).toMatchObject({ id: "x", sharing: "private", mode: 0o700, uid: 1, gid: 2 });
    expect(m2).toMatchObject({ size: 64 * 1024 * 1024 });
    expect(m3).toMatchObject({ id: "tok", required: true, env: "TOK" });
    expect(m4).toMatchObject({ id: "default" });
    expect(one('RUN ["echo", "hi"]')).toMatchObject({ command: { form: "exec", args: ["echo", "hi"] } });
    expect(codes("RUN --network=bridge x")).toEqual(["DF021"]);
    expect(codes("RUN --mount=type=cash,target=/x x")).toEqual(["DF029"]);
    expect(codes("RUN --mount=type=cache,tagret=/x x")).toEqual(["DF029"]);
    // BuildKit takes a RUN with no command: the shell runs an empty script.
    expect(one("RUN")).toMatchObject({ kind: "RUN", command: { form: "shell", script: "" }, mounts: [] });
  });
  it("CMD, ENTRYPOINT, SHELL", () => {
    expect(one("CMD echo hi")).toMatchObject({ kind: "CMD", command: { form: "shell", script: "echo hi" } });
    expect(one('ENTRYPOINT ["/bin/app", "-v"]')).toMatchObject({ kind: "ENTRYPOINT", command: { form: "exec", args: ["/bin/app", "-v"] } });
    expect(one('SHELL ["pwsh", "-c"]')).toMatchObject({ kind: "SHELL", args: ["pwsh", "-c"] });
    expect(codes("SHELL pwsh -c")).toEqual(["DF028"]);
  });
  it("ENV and LABEL, both forms, raw values", () => {
    expect(one('ENV A=1 B="x y" C=a\\ b')).toMatchObject({
      kind: "ENV",
      pairs: [
        { key: "A", value: { text: "1" }, legacy: false },
        { key: "B", value: { text: '"x y"' } },
        { key: "C", value: { text: "a\\ b" } },
      ],
    });
    expect(one("ENV PATH /usr/bin:$PATH")).toMatchObject({ pairs: [{ key: "PATH", value: { text: "/usr/bin:$PATH" }, legacy: true }] });
    expect(one('LABEL org.opencontainers.image.title="x"')).toMatchObject({ kind: "LABEL", pairs: [{ key: "org.opencontainers.image.title" }] });
    expect(codes("ENV A=1 B")).toEqual(["DF009"]);
  });
  it("ARG, several per line, with and without defaults", () => {
    expect(one('ARG A B=2 C="x y"')).toMatchObject({
      kind: "ARG",
      args: [{ name: "A", default: undefined }, { name: "B", default: { text: "2" } }, { name: "C", default: { text: '"x y"' } }],
    });
    expect(codes("ARG")).toEqual(["DF023"]);
  });
  it("COPY with every flag", () => {
    expect(
      one("COPY --from=build --chown=1:2 --chmod=0644 --link --parents --exclude=*.md --exclude=.git a b /dst/"),
    ).toMatchObject({
      kind: "COPY",
      from: { text: "build" },
      chown: { text: "1:2" },
      chmod: { text: "0644" },
      link: true,
      parents: true,
      exclude: [{ text: "*.md" }, { text: ".git" }],
      sources: [{ text: "a" }, { text: "b" }],
      dest: { text: "/dst/" },
    });
    expect(one('COPY ["a b", "/c"]')).toMatchObject({ sources: [{ text: "a b" }], dest: { text: "/c" } });
    expect(codes("COPY a")).toEqual(["DF023"]);
    expect(codes("COPY --chmod=999 a b")).toEqual(["DF021"]);
    expect(codes("COPY --link=maybe a b")).toEqual(["DF021"]);
    expect(codes("COPY --from a b")).toEqual(["DF022"]);
  });
  it("ADD with every flag", () => {
    expect(
      one("ADD --chown=app --chmod=755 --link=false --checksum=sha256:abc123 --keep-git-dir --exclude=x --unpack=true https://e/x.tgz /x"),
    ).toMatchObject({
      kind: "ADD",
      chown: { text: "app" },
      chmod: { text: "755" },
      link: false,
      checksum: { text: "sha256:abc123" },
      keepGitDir: true,
      unpack: true,
      exclude: [{ text: "x" }],
    });
    expect(codes("ADD --checksum=md5:x a b")).toEqual(["DF021"]);
    expect(codes("ADD --from=x a b")).toEqual(["DF020"]);
  });
  it("WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, MAINTAINER", () => {
    expect(one("WORKDIR /app")).toMatchObject({ kind: "WORKDIR", path: { text: "/app" } });
    expect(one("USER app:app")).toMatchObject({ kind: "USER", user: { text: "app:app" } });
    expect(one("EXPOSE 80/tcp 443")).toMatchObject({ kind: "EXPOSE", ports: [{ text: "80/tcp" }, { text: "443" }] });
    expect(one('VOLUME ["/a", "/b"]')).toMatchObject({ kind: "VOLUME", paths: [{ text: "/a" }, { text: "/b" }] });
    expect(one("VOLUME /a /b")).toMatchObject({ paths: [{ text: "/a" }, { text: "/b" }] });
    expect(one("STOPSIGNAL SIGTERM")).toMatchObject({ kind: "STOPSIGNAL", signal: { text: "SIGTERM" } });
    expect(one("MAINTAINER Jane <j@e>")).toMatchObject({ kind: "MAINTAINER", name: "Jane <j@e>" });
    expect(codes("WORKDIR")).toEqual(["DF023"]);
    expect(codes('VOLUME [""]')).toEqual(["DF025"]);
  });
  it("HEALTHCHECK with durations in nanoseconds", () => {
    expect(
      one("HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=2s --start-interval=1.5s --retries=4 CMD curl -f http://x/"),
    ).toMatchObject({
      kind: "HEALTHCHECK",
      interval: 90e9,
      timeout: 5e8,
      startPeriod: 2e9,
      startInterval: 1.5e9,
      retries: 4,
      command: { form: "shell", script: "curl -f http://x/" },
    });
    expect(one("HEALTHCHECK NONE")).toMatchObject({ kind: "HEALTHCHECK", command: undefined });
    expect(codes("HEALTHCHECK --interval=5 CMD x")).toEqual(["DF027"]);
    expect(codes("HEALTHCHECK --interval=10us CMD x")).toEqual(["DF027"]);
    expect(codes("HEALTHCHECK --retries=x CMD x")).toEqual(["DF021"]);
    expect(codes("HEALTHCHECK CONNECT x")).toEqual(["DF025"]);
  });
  it("ONBUILD nests, but not ONBUILD, FROM or MAINTAINER", () => {
    expect(one("ONBUILD COPY --chown=1 . /app")).toMatchObject({
      kind: "ONBUILD",
      expression: "COPY --chown=1 . /app",
      trigger: { kind: "COPY", chown: { text: "1" } },
    });
    expect(codes("ONBUILD ONBUILD RUN x")).toEqual(["DF026"]);
    expect(codes("ONBUILD FROM x")).toEqual(["DF026"]);
    expect(codes("ONBUILD MAINTAINER x")).toEqual(["DF026"]);
  });
  it("keeps words raw", () => {
    const dst = ["$", "{DST:-/x}"].join("");
    expect(one(`COPY $SRC ${dst}`)).toMatchObject({ sources: [{ text: "$SRC" }], dest: { text: dst } });
  });
});
