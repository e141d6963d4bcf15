import { describe, expect, it } from "vitest";
import { goQuote, goQuoteRune } from "../../compiler/dockerfile/go-quote.ts";
import { goDuration } from "../../compiler/lower/created-by.ts";
import { skopeoInspect, useSmallBuilds } from "../helpers/small-builds.ts";
import { strata } from "../helpers/strata.ts";

/**
 * Issue 17, items 13 and 20: the image config and history BuildKit writes.
 * - MAINTAINER sets the config's top-level `author` (docker inspect's Author);
 *   a later stage built on it, or on an image with an author, inherits it.
 * - `created_by` is worded by BuildKit's dockerfile2llb: `CMD %q`,
 *   `ENTRYPOINT %q`, `HEALTHCHECK %q` of its struct (durations by their
 *   String(), the retry count as a quoted rune), `SHELL %v`, `VOLUME %v`,
 *   `EXPOSE %v` of the port set (sorted). ARG keeps Strata's policy: its
 *   default as written, never a build-arg value (BuildKit writes `ARG V=<value>`).
 * The images are read by skopeo, not by Strata.
 */

interface Config {
  author?: string;
  config: Record<string, unknown>;
  history: { created_by?: string; empty_layer?: boolean }[];
}

const imageConfig = (root: string, ref: string): Config => skopeoInspect<Config>(root, ref, "--config");

describe("Go's %q and Duration.String, as BuildKit's history uses them", () => {
  it("quotes as strconv.Quote and QuoteRune", () => {
    expect(goQuote("\x1b[1mbold\x7f")).toBe('"\\x1b[1mbold\\x7f"');
    expect(goQuote("tab\there é ♥ \u0085")).toBe('"tab\\there é ♥ \\u0085"');
    expect(goQuoteRune(0)).toBe("'\\x00'");
    expect(goQuoteRune(3)).toBe("'\\x03'");
    expect(goQuoteRune(10)).toBe("'\\n'");
    expect(goQuoteRune(65)).toBe("'A'");
    expect(goQuoteRune(39)).toBe("'\\''");
  });

  it("formats durations as time.Duration.String", () => {
    const s = 1e9;
    expect([0, 1, 1500, 1.2e6, 500e6, 1.5 * s, 30 * s, 90 * s, 3600 * s, 3723.5 * s].map(goDuration)).toEqual(["0s", "1ns", "1.5µs", "1.2ms", "500ms", "1.5s", "30s", "1m30s", "1h0m0s", "1h2m3.5s"]);
  });
});

describe("MAINTAINER and history created_by, built and read back with skopeo", () => {
  const builds = useSmallBuilds("cfg-fidelity");

  const build = (name: string, dockerfile: string, args: string[] = []): void => {
    const b = builds.build(name, dockerfile, { args });
    expect(b.stderr).not.toMatch(/ERROR/);
    expect(b.code).toBe(0);
  };

  it("MAINTAINER sets Author (docker: FROM scratch / MAINTAINER nobody@domain.test)", () => {
    build("maint", "FROM scratch\nMAINTAINER nobody@domain.test\n");
    const c = imageConfig(builds.root, "maint:t");
    expect(c.author).toBe("nobody@domain.test");
    expect(c.history.map((h) => h.created_by)).toEqual(["MAINTAINER nobody@domain.test"]);
    expect(strata(builds.root, ["inspect", "maint:t"]).stdout).toMatch(/"Author": "nobody@domain.test"/);
  });

  it("the last MAINTAINER wins and a stage or image built on it inherits the author", () => {
    build("maint2", "FROM scratch AS a\nMAINTAINER first\nMAINTAINER second\nFROM a\nLABEL x=y\n");
    expect(imageConfig(builds.root, "maint2:t").author).toBe("second");
    build("maint3", "FROM maint2:t\nLABEL z=w\n");
    expect(imageConfig(builds.root, "maint3:t").author).toBe("second");
    build("nomaint", "FROM busybox:latest\nLABEL a=b\n");
    expect(imageConfig(builds.root, "nomaint:t").author).toBeUndefined();
  });

  it("writes created_by as BuildKit does: %q, %v, sorted ports, Duration strings; no build-arg value", () => {
    const df = [
      "FROM scratch",
      "ARG V",
      "ARG D=dflt",
      // JSON escapes (a raw control character is not JSON, so BuildKit would take the shell form).
      'CMD ["printf", "\\u001b[1mbold\\u007f"]',
      'ENTRYPOINT ["/bin/echo", "a\\tb"]',
      'SHELL ["/bin/sh", "-ec"]',
      'VOLUME ["/a", "/b"]',
      "EXPOSE 80 443/udp 80",
      "HEALTHCHECK --interval=30s --timeout=1500ms --retries=3 CMD true",
      "STOPSIGNAL SIGTERM",
      "",
    ].join("\n");
    build("hist", df, ["--build-arg", "V=given"]);
    const c = imageConfig(builds.root, "hist:t");
    expect(c.config.Cmd).toEqual(["printf", "\x1b[1mbold\x7f"]);
    expect(c.history.map((h) => h.created_by)).toEqual([
      "ARG V",
      "ARG D=dflt",
      'CMD ["printf" "\\x1b[1mbold\\x7f"]',
      'ENTRYPOINT ["/bin/echo" "a\\tb"]',
      "SHELL [/bin/sh -ec]",
      "VOLUME [/a /b]",
      "EXPOSE map[443/udp:{} 80/tcp:{}]",
      `HEALTHCHECK &{["CMD-SHELL" "true"] "30s" "1.5s" "0s" "0s" '\\x03'}`,
      "STOPSIGNAL SIGTERM",
    ]);
    expect(c.history.every((h) => h.empty_layer === true)).toBe(true);
  });

  it("COPY's created_by names --chown and --chmod as BuildKit's does", () => {
    const b = builds.build("copyhist", "FROM scratch\nARG U=7\nCOPY --chown=$U:8 --chmod=640 a b /d/\n", { files: { a: "a", b: "b" } });
    expect(b.code).toBe(0);
    expect(imageConfig(builds.root, "copyhist:t").history.map((h) => h.created_by)).toEqual(["ARG U=7", "COPY --chown=7:8 --chmod=640 a b /d/ # buildkit"]);
  });

  it("HEALTHCHECK NONE is the struct too", () => {
    build("hcnone", "FROM scratch\nHEALTHCHECK NONE\n");
    expect(imageConfig(builds.root, "hcnone:t").history.map((h) => h.created_by)).toEqual([`HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" '\\x00'}`]);
  });
});
