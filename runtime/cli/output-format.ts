/**
 * `--format` as docker's list commands read it (docker/cli cli/command/formatter): `table`
 * (the command's own table), `json` (one JSON object per line), `table TEMPLATE` (a header row
 * from the command's column names, then one row per item, tab-aligned) or any other Go
 * template, executed once per item and followed by a newline. A literal `\t` or `\n` in the
 * format is a tab or a newline, as docker's formatter replaces them. The template is parsed as
 * the command line is read: a bad one is `template parsing error: …` (exit 1) before any work.
 */
import { StrataError } from "../errors/error.ts";
import { compileTemplate, type Template, TemplateError } from "./go-template/exec.ts";
import { tabwrite } from "./go-template/tabwriter.ts";
import { goJson } from "./go-template/value.ts";

export type OutputFormat = { readonly kind: "table" } | { readonly kind: "json" } | { readonly kind: "template"; readonly table: boolean; readonly row: Template; readonly header: Template; readonly source: string };

/** The commander parser of a `--format` value. */
export function parseOutputFormat(value: string): OutputFormat {
  if (value === "table" || value === "") return { kind: "table" };
  if (value === "json") return { kind: "json" };
  const table = value.startsWith("table ");
  const src = (table ? value.slice(6) : value).replace(/^ +| +$/g, "").replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  return { kind: "template", table, row: parseFormatTemplate(src), header: parseFormatTemplate(src, { header: true }), source: value };
}

/** Parses a template given on the command line; a bad one is the command's one-line error. */
export function parseFormatTemplate(src: string, options: { header?: boolean; name?: string } = {}): Template {
  try {
    return compileTemplate(src, options);
  } catch (e) {
    if (e instanceof TemplateError) throw new StrataError("TEMPLATE_INVALID", `template parsing error: ${e.message}`);
    throw e;
  }
}

/** Runs a template; an execution error is the command's one-line error, in Go's words. */
export function executeTemplate(t: Template, data: unknown): string {
  try {
    return t.execute(data);
  } catch (e) {
    if (e instanceof TemplateError) throw new StrataError("TEMPLATE_INVALID", e.message);
    throw e;
  }
}

/**
 * The output of a list command for `format`. `header` maps each field to its column name
 * (docker's, e.g. ID → "IMAGE ID"); `defaultTable` is the command's own table, docker's default
 * format for it (`table {{.Repository}}\t{{.Tag}}\t…`), which `table` (and no --format) runs.
 */
export function formatItems(format: OutputFormat, items: readonly object[], header: Readonly<Record<string, string>>, defaultTable: string): string {
  if (format.kind === "table") return formatItems(parseOutputFormat(defaultTable), items, header, defaultTable);
  const sorted = items.map(sortedKeys);
  if (format.kind === "json") return sorted.map((i) => `${goJson(i)}\n`).join("");
  const body = sorted.map((i) => `${executeTemplate(format.row, i)}\n`).join("");
  if (!format.table) return body;
  return tabwrite(`${executeTemplate(format.header, header)}\n${body}`);
}

/**
 * docker's list contexts marshal to JSON through a map: the keys come out sorted, for `json`
 * and for `{{json .}}` alike. The copy keeps the item's struct type (exec.ts strictFields).
 */
function sortedKeys(o: object): Record<string, unknown> {
  const rec = o as Record<string | symbol, unknown>;
  const out: Record<string | symbol, unknown> = Object.fromEntries(Object.keys(rec).sort().map((k) => [k, rec[k]]));
  for (const s of Object.getOwnPropertySymbols(rec)) Object.defineProperty(out, s, { value: rec[s], enumerable: false });
  return out as Record<string, unknown>;
}
