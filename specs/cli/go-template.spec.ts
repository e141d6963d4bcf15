/**
 * Issue 18 item 3: the Go text/template subset `--format` takes (runtime/cli/go-template/).
 * Expected values are Go's (pkg.go.dev/text/template: "Actions", "Pipelines", "Variables",
 * "Functions"; fmt's %v for slices `[a b]` and maps `map[k:v]` with sorted keys) and docker's
 * (docker/cli templates: json, join, split, lower, upper, title, pad, truncate; formatter's
 * `table` directive with tabwriter minwidth 10 and padding 3; docs.docker.com/engine/cli/formatting/).
 */
import { describe, expect, it } from "vitest";
import { compileTemplate, strictFields, TemplateError } from "../../runtime/cli/go-template/exec.ts";
import { tabwrite } from "../../runtime/cli/go-template/tabwriter.ts";
import { formatItems, parseOutputFormat } from "../../runtime/cli/output-format.ts";
import { CONFIG_ZEROS, withZeroValues } from "../../runtime/cli/format-fields.ts";

const data = {
  Id: "sha256:abc",
  Size: 4261550,
  Config: { Cmd: ["sh", "-c", "x"], Env: ["A=1", "B=2"], Labels: { b: "2", a: "1" }, Entrypoint: null },
  Names: ["web", "db"],
  Empty: [],
};
const run = (src: string, v: unknown = data) => compileTemplate(src).execute(v);
const parseError = (src: string) => {
  try {
    compileTemplate(src);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`${src} parsed`);
};

describe("Go template evaluation", () => {
  it.each([
    ["{{.Config.Cmd}}", "[sh -c x]"], // fmt %v of a []string
    ["{{json .Config.Env}}", '["A=1","B=2"]'],
    ["{{.Id}} {{.Size}}", "sha256:abc 4261550"],
    ["{{.Config.Labels}}", "map[a:1 b:2]"],
    ["{{.Missing}}", "<no value>"], // a map's missing key
    ["{{.Missing.Deeper}}", "<no value>"],
    ["{{range .Config.Env}}{{println .}}{{end}}", "A=1\nB=2\n"],
    ["{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}", "0=web 1=db "],
    ["{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=1;b=2;"], // maps range in key order
    ["{{range .Empty}}x{{else}}none{{end}}", "none"],
    ['{{if eq .Id "sha256:abc"}}yes{{else}}no{{end}}', "yes"],
    ["{{if .Empty}}a{{else if .Names}}b{{else}}c{{end}}", "b"],
    ["{{with .Config}}{{index .Cmd 1}}{{end}}", "-c"],
    ["{{with .Missing}}x{{else}}y{{end}}", "y"],
    ['{{join .Names ", "}}', "web, db"],
    ['{{upper "ab"}} {{lower "AB"}} {{title "hello world"}}', "AB ab Hello World"],
    ['{{split "a:b" ":"}}', "[a b]"],
    ['{{3 | printf "%s-%d" "x"}}', "x-3"], // a pipeline's value is the last argument
    ["{{.Names | len}}", "2"],
    ['{{printf "%-6s|" .Id}}', "sha256:abc|"],
    ["{{index .Config.Labels \"a\"}}", "1"],
    ["{{(index .Names 0)}}", "web"],
    ["{{$x := .Id}}{{$x}} {{$.Size}}", "sha256:abc 4261550"],
    ["a {{- \" b \" -}} c", "a b c"],
    ["{{/* a comment */}}x", "x"],
    ["{{`raw\\t`}}", "raw\\t"],
    ['{{"q\\tq"}}', "q\tq"],
    ["{{pad .Id 1 2}}|", " sha256:abc  |"],
    ["{{truncate .Id 6}}", "sha256"],
    ["{{and 1 0}} {{or 0 2}} {{not .Empty}}", "0 2 true"],
    ["{{println 1 2}}", "1 2\n"],
    ["{{print 1 2}}{{print \"a\" \"b\"}}", "1 2ab"],
  ])("%s", (src, expected) => {
    expect(run(src)).toBe(expected);
  });

  it("docker's typed zero values: a nil slice prints [], a missing string field \"\", JSON stays null", () => {
    const config = withZeroValues({ Cmd: ["sh"], Entrypoint: null }, CONFIG_ZEROS);
    expect(run("{{.Entrypoint}}|{{.User}}|{{.Labels}}|{{json .Entrypoint}}", config)).toBe("[]||map[]|null");
    expect(run("{{json .}}", config)).toBe('{"Cmd":["sh"],"Entrypoint":null}');
    // A nil map has no keys: `index` gives the map[string]string zero value "", a field <no value>, as Go's.
    expect(run('{{index .Labels "org.opencontainers.image.version"}}|{{.Labels.x}}', config)).toBe("|<no value>");
    expect(run('{{index .Config.Labels "nope"}}|{{index .Config.Labels "a"}}')).toBe("|1");
  });

  it("a struct's unknown field is an execution error in Go's words; a method takes arguments", () => {
    const row = strictFields({ ID: "x", Label: (k: unknown) => `L:${String(k)}` }, "*formatter.imageContext");
    expect(() => run("{{.Foo}}", row)).toThrow('template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.imageContext');
    expect(run('{{.Label "k"}}', row)).toBe("L:k");
    // The position is the failing node's: line, and byte column from 0.
    expect(() => run("x\n  {{.ID}} {{ .Foo | upper }}", row)).toThrow('template: :2:13: executing "" at <.Foo>:');
    expect(() => run("{{index .ID 5}}", row)).toThrow('template: :1:2: executing "" at <index .ID 5>: error calling index: index out of range: 5');
  });

  it.each([
    ["{{.Id", "template: :1: unclosed action"],
    ["{{foo .}}", 'template: :1: function "foo" not defined'],
    ["{{if .Id}}x", "template: :1: unexpected EOF"],
    ["{{end}}", "template: :1: unexpected {{end}}"],
    ["a\n{{else}}", "template: :2: unexpected {{else}}"],
  ])("parse error %s", (src, message) => {
    expect(parseError(src)).toBe(message);
  });
});

describe("docker's formatter: table, json and templates", () => {
  const rows = [strictFields({ Repository: "busybox", Tag: "latest", ID: "abc" }, "t"), strictFields({ Repository: "localhost:5000/averylongname", Tag: "1", ID: "def" }, "t")];
  const header = { Repository: "REPOSITORY", Tag: "TAG", ID: "IMAGE ID" };
  const defaultTable = "table {{.Repository}}\t{{.Tag}}";

  it("table TEMPLATE: a header from the column names, columns at least 10 wide and 3 apart, the last unpadded", () => {
    expect(formatItems(parseOutputFormat("table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}"), rows, header, defaultTable)).toBe(
      ["REPOSITORY                     TAG       IMAGE ID", "busybox                        latest    abc", "localhost:5000/averylongname   1         def", ""].join("\n"),
    );
  });

  it("the header runs docker's header functions: {{json .Tag}} heads its column TAG", () => {
    expect(formatItems(parseOutputFormat("table {{json .Tag}}"), rows.slice(0, 1), header, defaultTable)).toBe('TAG\n"latest"\n');
  });

  it("a template prints one line per item; json one object per line with sorted keys", () => {
    expect(formatItems(parseOutputFormat("{{.Repository}}:{{.Tag}}"), rows, header, defaultTable)).toBe("busybox:latest\nlocalhost:5000/averylongname:1\n");
    expect(formatItems(parseOutputFormat("json"), rows.slice(0, 1), header, defaultTable)).toBe('{"ID":"abc","Repository":"busybox","Tag":"latest"}\n');
    expect(formatItems(parseOutputFormat("{{json .}}"), rows.slice(0, 1), header, defaultTable)).toBe('{"ID":"abc","Repository":"busybox","Tag":"latest"}\n');
    expect(() => formatItems(parseOutputFormat("{{.Nope}}"), rows, header, defaultTable)).toThrow("can't evaluate field Nope in type t");
    // `table` is the command's default table, itself a docker format.
    expect(formatItems(parseOutputFormat("table"), rows, header, defaultTable)).toBe("REPOSITORY                     TAG\nbusybox                        latest\nlocalhost:5000/averylongname   1\n");
  });

  it("a bad template is refused as the command line is read: docker's `template parsing error`", () => {
    expect(() => parseOutputFormat("{{.Repository")).toThrow("template parsing error: template: :1: unclosed action");
  });

  it("tabwriter aligns column blocks of consecutive lines (elastic tabstops)", () => {
    expect(tabwrite("a\tb\nlonger-than-ten\tc\nno tabs here\nx\ty")).toBe(`${"a".padEnd(18)}b\nlonger-than-ten   c\nno tabs here\n${"x".padEnd(10)}y`);
    // docker version's settings: minwidth 20, padding 1.
    expect(tabwrite(" Version:\t1.0\n OS/Arch:\tlinux/amd64", { minWidth: 20, padding: 1 })).toBe(` Version:${" ".repeat(11)}1.0\n OS/Arch:${" ".repeat(11)}linux/amd64`);
  });
});
