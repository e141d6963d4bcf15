/** HEALTHCHECK NONE | HEALTHCHECK [--interval --timeout --start-period --start-interval --retries] CMD command. */
import type { HealthcheckInstruction, Node, Word } from "../ast.ts";
import { commandLine } from "./command.ts";
import { argsSpan, report, type TypeContext } from "./context.ts";
import { parseGoDuration } from "./duration.ts";
import { parseFlags } from "./flags.ts";

const SPEC = { interval: "string", timeout: "string", "start-period": "string", "start-interval": "string", retries: "string" } as const;

function duration(ctx: TypeContext, name: string, w: Word | undefined): number | undefined | null {
  if (w === undefined) return undefined;
  const d = parseGoDuration(w.text);
  if (d === undefined) {
    report(ctx, "DF027", `invalid duration "${w.text}" for --${name}`, w.span, "use a Go duration such as 30s, 1m30s or 500ms");
    return null;
  }
  if (d !== 0 && d < 1e6) {
    report(ctx, "DF027", `--${name} cannot be less than 1ms`, w.span);
    return null;
  }
  if (d < 0) {
    report(ctx, "DF027", `--${name} cannot be negative`, w.span);
    return null;
  }
  return d;
}

export function typeHealthcheck(ctx: TypeContext, node: Node): HealthcheckInstruction | undefined {
  const typ = node.values[0];
  if (typ === undefined) return report(ctx, "DF023", "HEALTHCHECK requires an argument: NONE or CMD", node.keywordSpan);
  const t = typ.text.toUpperCase();
  if (t === "NONE") {
    if (node.values.length > 1) return report(ctx, "DF024", "HEALTHCHECK NONE takes no arguments", argsSpan(node));
    if (node.flags.length > 0) {
      const f = node.flags[0];
      return report(ctx, "DF020", "HEALTHCHECK NONE takes no flags", f?.span ?? node.keywordSpan);
    }
    return {
      kind: "HEALTHCHECK",
      node,
      span: node.span,
      command: undefined,
      interval: undefined,
      timeout: undefined,
      startPeriod: undefined,
      startInterval: undefined,
      retries: undefined,
    };
  }
  const flags = parseFlags(ctx, node, SPEC);
  if (t !== "CMD") return report(ctx, "DF025", `unknown type "${typ.text}" in HEALTHCHECK`, typ.span, "try CMD or NONE");
  if (node.values.length < 2) return report(ctx, "DF023", "missing command after HEALTHCHECK CMD", typ.span);
  const interval = duration(ctx, "interval", flags.strings.get("interval"));
  const timeout = duration(ctx, "timeout", flags.strings.get("timeout"));
  const startPeriod = duration(ctx, "start-period", flags.strings.get("start-period"));
  const startInterval = duration(ctx, "start-interval", flags.strings.get("start-interval"));
  let retries: number | undefined;
  const r = flags.strings.get("retries");
  let ok = flags.ok && interval !== null && timeout !== null && startPeriod !== null && startInterval !== null;
  if (r !== undefined) {
    if (!/^[+-]?\d+$/.test(r.text)) {
      report(ctx, "DF021", `invalid --retries "${r.text}": expecting an integer`, r.span);
      ok = false;
    } else {
      retries = Number(r.text);
      if (retries < 0) {
        report(ctx, "DF021", "--retries cannot be negative", r.span);
        ok = false;
      }
    }
  }
  if (!ok) return undefined;
  return {
    kind: "HEALTHCHECK",
    node,
    span: node.span,
    command: commandLine(node, node.values.slice(1)),
    interval: interval ?? undefined,
    timeout: timeout ?? undefined,
    startPeriod: startPeriod ?? undefined,
    startInterval: startInterval ?? undefined,
    retries,
  };
}
