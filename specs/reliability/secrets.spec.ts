/**
 * The battery's case 22: `--build-arg TOKEN=s3cr3t` and `RUN --mount=type=secret`, then
 * `grep -a s3cr3t` over every blob Strata exports (`save` as an OCI archive and as a docker
 * archive, gzip layers decompressed too) and over the store's own blobs.
 *
 * Our policy for build args: the value of one whose name the secrets rule flags
 * (SecretsUsedInArgOrEnv: TOKEN, *_PASSWORD, …) is recorded nowhere in the image. Docker writes
 * the build args a RUN sees into that step's history (`created_by: "|1 TOKEN=s3cr3t /bin/sh
 * -c …"`); Strata writes them as BuildKit does but leaves the flagged ones out (`RUN /bin/sh -c
 * … # buildkit` here), and the config holds no ARG. So the value is in a blob only where a command writes it into the
 * filesystem: a control build that does `echo "$TOKEN" > /written` finds it in exactly that
 * layer, which also shows the grep can find what it looks for.
 * A mounted secret appears in no blob, and its mount target leaves nothing in the layer: no
 * empty file at a target in an existing directory (/etc/tok2), no /run/secrets/ directories,
 * no copied-up /etc. The layer holds exactly the two files the commands made.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strata } from "../helpers/strata.ts";
import { busyboxArena } from "./busybox.ts";
import { type Arena, expectClean } from "./oracle.ts";
import { readTar } from "./tar-headers.ts";

const SECRET = "s3cr3t";

let a: Arena;

beforeAll(() => {
  a = busyboxArena("secrets", {
    own: ["quiet", "loud", "secrets", "out"],
    setup: ({ own }) => {
      writeFileSync(join(own.secrets as string, "tok"), SECRET);
      writeFileSync(
        join(own.quiet as string, "Dockerfile"),
        [
          "FROM busybox:latest",
          "ARG TOKEN",
          // The value is compared in two halves: the Dockerfile's own text (history) must not hold it.
          'RUN test "$TOKEN" = "s3c""r3t" && touch /arg-ok',
          'RUN --mount=type=secret,id=tok test "$(cat /run/secrets/tok)" = "s3c""r3t" && touch /secret-ok',
          'RUN --mount=type=secret,id=tok,target=/etc/tok2 test "$(cat /etc/tok2)" = "s3c""r3t"',
          "",
        ].join("\n"),
      );
      writeFileSync(join(own.loud as string, "Dockerfile"), 'FROM busybox:latest\nARG TOKEN\nRUN echo "$TOKEN" > /written\n');
    },
  });
}, 300_000);
afterAll(() => a?.cleanup());

function build(ctx: string, tag: string): void {
  const secret = `id=tok,src=${join(a.own.secrets as string, "tok")}`;
  const r = strata(a.root, ["build", "--progress", "plain", "--build-arg", `TOKEN=${SECRET}`, "--secret", secret, "-t", tag, ctx]);
  expect(r.code, r.stderr).toBe(0);
}

/**
 * Saves `tag` in both formats, unpacks each archive with tar, writes each gzip member's
 * decompressed bytes beside it, and returns the files `grep -a -r -l s3cr3t` lists (relative).
 */
function grepExported(tag: string): { hits: string[]; files: number; dir: string } {
  const dir = join(a.own.out as string, tag.replace(/[:/]/g, "_"));
  let files = 0;
  for (const format of ["oci-archive", "docker-archive"]) {
    const out = join(dir, `${format}.tar`);
    const into = join(dir, format);
    mkdirSync(into, { recursive: true });
    const s = strata(a.root, ["save", "--format", format, "-o", out, tag]);
    expect(s.code, s.stderr).toBe(0);
    expect(spawnSync("tar", ["-xf", out, "-C", into]).status).toBe(0);
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && !e.name.endsWith(".unzipped")) {
          files++;
          const bytes = readFileSync(p);
          if (bytes[0] === 0x1f && bytes[1] === 0x8b) writeFileSync(`${p}.unzipped`, gunzipSync(bytes));
        }
      }
    };
    walk(into);
    spawnSync("rm", ["-f", out]);
  }
  const g = spawnSync("grep", ["-a", "-r", "-l", SECRET, "."], { cwd: dir, encoding: "utf8" });
  return { hits: g.stdout.split("\n").filter((l) => l !== "").sort(), files, dir };
}

/** The store's blobs that hold the value (raw: the store keeps layers uncompressed). */
function grepStore(): string[] {
  const g = spawnSync("grep", ["-a", "-l", SECRET, "-r", "blobs"], { cwd: a.root, encoding: "utf8" });
  return g.stdout.split("\n").filter((l) => l !== "");
}

describe("reliability: secrets and build args", () => {
  it("case 22: a build arg and a mounted secret appear in no exported or stored blob; no stub is left", () => {
    build(a.own.quiet as string, "quiet:1");
    const { hits, files } = grepExported("quiet:1");
    expect(files).toBeGreaterThan(6);
    expect(hits).toEqual([]);
    expect(grepStore()).toEqual([]);
    // The one layer above busybox holds exactly what the commands made: no /etc/tok2, /run/secrets or copied-up /etc.
    const idx = JSON.parse(readFileSync(join(a.root, "index.json"), "utf8")) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    const m = idx.manifests.find((x) => x.annotations["org.opencontainers.image.ref.name"] === "quiet:1");
    const blob = (d: string) => readFileSync(join(a.root, "blobs", "sha256", d.slice(7)));
    const man = JSON.parse(blob(m?.digest ?? "").toString()) as { layers: { digest: string }[] };
    const names = man.layers.slice(1).flatMap((l) => readTar(blob(l.digest)).map((e) => e.name));
    expect(names).toEqual(["arg-ok", "secret-ok"]);
    const history = strata(a.root, ["history", "--no-trunc", "quiet:1"]);
    expect(history.stdout).toContain('RUN /bin/sh -c test "$TOKEN" = "s3c""r3t" && touch /arg-ok');
    expect(history.stdout).not.toMatch(/TOKEN=s3cr3t/);
  });

  it("case 22: the policy's control: a command that writes the build arg puts it in its own layer, and nowhere else", () => {
    build(a.own.loud as string, "loud:1");
    const { hits } = grepExported("loud:1");
    // One layer per archive (decompressed), the oci blob and the docker layer: nothing else (no config, no manifest).
    expect(hits).toHaveLength(2);
    for (const h of hits) {
      expect(h).toMatch(/\.unzipped$/);
      const entries = readTar(readFileSync(join(a.own.out as string, "loud_1", h)));
      expect(entries.map((e) => `${e.name}=${e.data.toString()}`)).toEqual([`written=${SECRET}\n`]);
    }
  });

  it("case 22: the oracle finds nothing outside the store, and verify passes", () => {
    expectClean(a);
  });
});
