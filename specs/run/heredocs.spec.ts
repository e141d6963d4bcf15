import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareCommand } from "../../runtime/engine/exec/run/heredocs.ts";
import { storeWithBusybox } from "../helpers/strata.ts";
import { build, lastStepEmpty, output, removeTemps, runIn } from "./helpers.ts";

const source = { file: "Dockerfile", line: 2, column: 1, start: 0, end: 0, text: "RUN" };

describe("heredocs in RUN: the argv, as BuildKit's dispatchRun builds it", () => {
  it("a lone heredoc is the shell's script", () => {
    const c = prepareCommand({ args: ["/bin/sh", "-c", "<<EOF"], heredocs: [{ name: "EOF", content: "echo a\necho b\n" }], source });
    expect(c).toEqual({ args: ["/bin/sh", "-c", "echo a\necho b\n"], files: [] });
  });

  it("a lone heredoc with a shebang is run from /dev/pipes", () => {
    const c = prepareCommand({ args: ["/bin/bash", "-o", "pipefail", "-c", "<<-'RUN'"], heredocs: [{ name: "RUN", content: "#!/bin/sh\necho x\n" }], source });
    expect(c.args).toEqual(["/bin/bash", "-o", "pipefail", "-c", "/dev/pipes/RUN"]);
    expect(c.files).toEqual([{ name: "RUN", content: "#!/bin/sh\necho x\n", mode: 0o755 }]);
  });

  it("anything else is rebuilt into one script for the shell", () => {
    const c = prepareCommand({ args: ["/bin/sh", "-c", "3<<A cat /dev/fd/3 && cat <<B"], heredocs: [{ name: "A", content: "a\n", fd: 3 }, { name: "B", content: "b\n" }], source });
    expect(c.args).toEqual(["/bin/sh", "-c", "3<<A cat /dev/fd/3 && cat <<B\na\nA\nb\nB"]);
  });

  it("white space between << and the delimiter still makes a lone heredoc (BuildKit's lexer keeps it in the word)", () => {
    const c = prepareCommand({ args: ["/bin/sh", "-c", "<<  EOF"], heredocs: [{ name: "EOF", content: "echo a\n" }], source });
    expect(c).toEqual({ args: ["/bin/sh", "-c", "echo a\n"], files: [] });
  });
});

describe("heredocs in RUN: built", () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = storeWithBusybox("run-heredocs"));
  });
  afterAll(() => {
    cleanup();
    removeTemps();
  });

  it("runs scripts, shebang scripts, stdin, fd 3 and several heredocs, and leaves no script in the layer", () => {
    // Each RUN also writes a file of its own: consecutive empty layers are avoided (see the report on duplicate lowers).
    const r = build(
      root,
      "heredocs",
      [
        "FROM busybox:latest",
        "ENV WHO=world",
        "RUN <<EOF",
        "echo script line 1",
        'echo "script $WHO"',
        "touch /h1",
        "EOF",
        "RUN <<EOF",
        "#!/bin/sh -e",
        'echo "shebang as $0"',
        "touch /h2",
        "EOF",
        "RUN cat <<EOF > /stdin.txt",
        "stdin $WHO",
        "EOF",
        "RUN <<'EOF' cat && touch /h4",
        "quoted $WHO",
        "EOF",
        "RUN 3<<EOF cat /dev/fd/3 && touch /h5",
        "on fd three",
        "EOF",
        "RUN cat <<A && cat <<B && touch /h6",
        "first",
        "A",
        "second",
        "B",
        "RUN <<  EOF",
        "echo spaces after the arrows",
        "touch /h7",
        "EOF",
        "RUN <<-EOF",
        "\techo tabs stripped",
        "\tEOF",
        "",
      ].join("\n"),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(output(r)).toEqual([
      "script line 1",
      "script world",
      "shebang as /dev/pipes/EOF",
      "quoted $WHO",
      "on fd three",
      "first",
      "second",
      "spaces after the arrows",
      "tabs stripped",
    ]);
    // Nothing it did stays: the step made no layer at all.
    expect(lastStepEmpty(root, "heredocs")).toBe(true);
    expect(runIn(root, "heredocs", "sh", "-c", "cat /stdin.txt; ls /dev/pipes 2>&1; ls / | grep -c '^h[0-9]'").stdout).toBe("stdin world\nls: /dev/pipes: No such file or directory\n6\n");
  });
});
