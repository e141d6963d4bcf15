import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, storeWithBusybox } from "../helpers/strata.ts";
import { build, configText, context, lastLayer, lastStepEmpty, output, removeTemps, runIn, temp } from "./helpers.ts";

describe("RUN --mount", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("run-mounts"));
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });

  it("type=cache persists between builds, is never in the image, and applies mode, uid and gid when created", () => {
    const df = (tag: string) =>
      [
        "FROM busybox:latest",
        `RUN --mount=type=cache,target=/var/cache/app,uid=33,gid=33,mode=0750 echo ${tag} >> /var/cache/app/log && stat -c '%u:%g %a' /var/cache/app && cat /var/cache/app/log && echo built > /built`,
        "",
      ].join("\n");
    const a = build(root, "cache-a", df("one"));
    expect(a.code, a.stderr).toBe(0);
    expect(output(a)).toEqual(["33:33 750", "one"]);
    const b = build(root, "cache-b", df("two"));
    expect(b.code, b.stderr).toBe(0);
    expect(output(b)).toEqual(["33:33 750", "one", "two"]);
    // Only what the RUN wrote outside the mount: no /var/cache stub, no copied-up /var.
    expect(lastLayer(root, "cache-b")).toEqual(["built"]);
    expect(runIn(root, "cache-b", "ls", "-a", "/var").stdout.split("\n")).not.toContain("cache");
    // An explicit id shares the directory between targets.
    const c = build(root, "cache-c", "FROM busybox:latest\nRUN --mount=type=cache,id=/var/cache/app,target=/elsewhere cat /elsewhere/log\n");
    expect(output(c)).toEqual(["one", "two"]);
  });

  it("type=cache,sharing=locked serializes concurrent builds; private gives a fresh directory while it is in use", async () => {
    const df = (sharing: string, n: number) =>
      sharing === "locked"
        ? `FROM busybox:latest\nRUN --mount=type=cache,id=lk,target=/c,sharing=locked echo start${n} >> /c/log; sleep 1; echo end${n} >> /c/log\n`
        : `FROM busybox:latest\nRUN --mount=type=cache,id=lk,target=/c,sharing=private ls /c; sleep 1; echo ${n}\n`;
    const go = (sharing: string, n: number) =>
      new Promise<string>((resolve) => {
        const ctx = context(`lock-${sharing}-${n}`, { Dockerfile: df(sharing, n) });
        const p = spawn(process.execPath, [join(repoRoot, "bin/strata.js"), "--root", root, "build", "--no-cache", ctx]);
        let err = "";
        p.stderr.on("data", (c: Buffer) => (err += c.toString()));
        p.on("close", () => resolve(err));
      });
    await Promise.all([go("locked", 1), go("locked", 2)]);
    const log = build(root, "lock-log", "FROM busybox:latest\nRUN --mount=type=cache,id=lk,target=/c cat /c/log\n");
    const lines = output(log);
    // Never interleaved: each start is followed by its own end.
    expect(lines.length).toBe(4);
    expect(lines[1]).toBe(lines[0]?.replace("start", "end"));
    expect(lines[3]).toBe(lines[2]?.replace("start", "end"));
    // Two private users at once: one gets the existing instance, the other a new, empty one.
    const outs = await Promise.all([go("private", 3), go("private", 4)]);
    const sawLog = outs.filter((o) => /^#\d+ \d+\.\d+ log$/m.test(o)).length;
    expect(sawLog).toBe(1);
  });

  it("type=bind reads the build context read-only, honours .dockerignore, and leaves nothing in the layer", () => {
    const r = build(
      root,
      "bind-ctx",
      [
        "FROM busybox:latest",
        "RUN --mount=type=bind,source=src,target=/mnt/src cat /mnt/src/a.txt && ls -a /mnt/src && (touch /mnt/src/new 2>/dev/null && echo writable || echo read-only) && echo ok > /ok",
        "RUN --mount=type=bind,target=/ctx,rw touch /ctx/src/scribble && ls /ctx/src",
        "RUN --mount=type=bind,source=src/../../..,target=/x ls /x",
        "",
      ].join("\n"),
      { "src/a.txt": "from the context\n", "src/secret.env": "IGNORED=1\n", ".dockerignore": "src/secret.env\n" },
      ["--no-merge"],
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = output(r);
    expect(lines.slice(0, 5)).toEqual(["from the context", ".", "..", "a.txt", "read-only"]);
    // rw: writable, but the writes are thrown away (and the context is untouched).
    expect(lines).toContain("scribble");
    expect(existsSync(join(r.ctx, "src/scribble"))).toBe(false);
    // `..` stops at the context root: /x is the context's root, not the host's /.
    expect(lines).toContain("Dockerfile");
    expect(lines).not.toContain("proc");
    // Nothing it did stays: the step made no layer at all.
    expect(lastStepEmpty(root, "bind-ctx")).toBe(true);
    expect(runIn(root, "bind-ctx", "ls", "/").stdout.split("\n")).not.toContain("mnt");
  });

  it("type=bind from a stage, and type=tmpfs with a size", () => {
    const r = build(
      root,
      "bind-stage",
      [
        "FROM busybox:latest AS tools",
        "RUN mkdir /out && echo from-stage > /out/msg",
        "FROM busybox:latest",
        "RUN --mount=type=bind,from=tools,source=/out,target=/in --mount=type=tmpfs,target=/scratch,size=2m cat /in/msg && df -k /scratch | tail -1 | awk '{print $2}' && echo hi > /scratch/f",
        "",
      ].join("\n"),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["from-stage", "2048"]);
    // Nothing it did stays: the step made no layer at all.
    expect(lastStepEmpty(root, "bind-stage")).toBe(true);
  });

  it("type=secret is visible during the RUN and nowhere in the store: layers, config, history, cache records", () => {
    const secretValue = `S3CR3T-${Math.random().toString(36).slice(2)}`;
    const file = join(temp("secret"), "token");
    writeFileSync(file, secretValue);
    const r = build(
      root,
      "secret",
      [
        "FROM busybox:latest",
        "RUN --mount=type=secret,id=token --mount=type=secret,id=token,env=TOKEN,target=/etc/tok,mode=0440,uid=33 --mount=type=secret,id=envtok,env=FROM_ENV \\",
        '    stat -c "%a %u %g" /run/secrets/token /etc/tok && echo "$(cat /run/secrets/token)" && echo "$TOKEN" "$FROM_ENV" && cat /run/secrets/token > /dev/null && echo done > /done',
        "",
      ].join("\n"),
      {},
      ["--secret", `id=token,src=${file}`, "--secret", "id=envtok,env=STRATA_SPEC_SECRET"],
      { STRATA_SPEC_SECRET: `${secretValue}-env` },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual(["400 0 0", "440 33 0", secretValue, `${secretValue} ${secretValue}-env`]);
    expect(lastLayer(root, "secret")).toEqual(["done"]);
    expect(configText(root, "secret")).not.toContain(secretValue);
    const grep = spawnSync("grep", ["-rl", "--", secretValue, root], { encoding: "utf8" });
    expect(grep.stdout).toBe("");
    expect(runIn(root, "secret", "ls", "-a", "/run", "/etc").stdout).not.toMatch(/secrets|tok\b/);
  });

  it("a required secret that was not given fails at the RUN's line; an optional one is left out", () => {
    const r = build(root, "secret-missing", "FROM busybox:latest\nRUN --mount=type=secret,id=nope echo optional-ok\nRUN --mount=type=secret,id=nope,required=true true\n", {}, ["--no-merge"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("optional-ok");
    expect(r.stderr).toMatch(/Dockerfile:3/);
    expect(r.stderr).toMatch(/secret "nope" not found/);
  });

  it("type=ssh,required=true without an agent fails clearly; without required it is skipped", () => {
    const env = { SSH_AUTH_SOCK: "" };
    const ok = build(root, "ssh-optional", "FROM busybox:latest\nRUN --mount=type=ssh echo sock=$SSH_AUTH_SOCK\n", {}, [], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(output(ok)).toEqual(["sock=/run/buildkit/ssh_agent.0"]);
    const r = build(root, "ssh-required", "FROM busybox:latest\nRUN --mount=type=ssh,required=true true\n", {}, [], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ssh mount "default" is required but no SSH agent socket/);
  });
});
