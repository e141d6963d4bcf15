/**
 * `version -f` and `info -f` as docker's (docker/cli cli/command/system/version.go, info.go): a
 * Go template run once on the whole object, its output followed by a newline; `json` is
 * `{{json .}}`. A template that does not parse is docker's `template parsing error: …` with
 * docker's exit code for these two commands, 64; one that fails on a value is exit 1.
 * Without -f, version runs its default template through a tabwriter of minwidth 20 and
 * padding 1, as docker's prettyPrintVersion does.
 */
import { StrataError } from "../errors/error.ts";
import { compileTemplate, type Template, TemplateError } from "./go-template/exec.ts";
import { tabwrite } from "./go-template/tabwriter.ts";
import { executeTemplate } from "./output-format.ts";

/** The commander parser of `-f/--format` for the template named `name` ("" for info, "version" for version). */
export function infoFormatParser(name: string): (value: string) => Template {
  return (value) => {
    try {
      return compileTemplate(value === "json" ? "{{json .}}" : value, { name });
    } catch (e) {
      if (e instanceof TemplateError) throw new StrataError("INFO_TEMPLATE_INVALID", `template parsing error: ${e.message}`);
      throw e;
    }
  };
}

/** The output of a format on `data`: the template's text and a newline. */
export function formatInfo(format: Template, data: object): string {
  return `${executeTemplate(format, data)}\n`;
}

/** docker version's default template, over Strata's fields: a client with Node for Go, a server of components. */
const VERSION_TEMPLATE = `{{with .Client -}}
Client:
 Version:\t{{.Version}}
 Node version:\t{{.NodeVersion}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
{{- end}}

{{- with .Server}}

Server:{{if .Platform.Name}} {{.Platform.Name}} (no daemon: this process builds and runs){{end}}
 {{- range .Components}}
 {{.Name}}:
  {{- if eq .Name "Engine"}}
  Version:\t{{.Version}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Kernel version:\t{{index .Details "KernelVersion"}}
  {{- else}}
  Version:\t{{.Version}}
  {{- range $key, $value := .Details}}
  {{$key}}:\t{{$value}}
  {{- end}}
  {{- end}}
 {{- end}}
{{- end}}`;

let versionTemplate: Template | undefined;

/** `strata version` without -f: the default template, aligned as docker's (minwidth 20, padding 1). */
export function prettyVersion(data: object): string {
  versionTemplate ??= compileTemplate(VERSION_TEMPLATE, { name: "version" });
  return tabwrite(`${executeTemplate(versionTemplate, data)}\n`, { minWidth: 20, padding: 1 });
}
