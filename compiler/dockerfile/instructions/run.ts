/**
 * RUN [--mount=...]... [--network=default|none|host] [--security=sandbox|insecure] command.
 * A RUN with no command is valid, as in BuildKit: the shell runs an empty script (`/bin/sh -c ''`).
 */
import type { MountFlag, Node, RunInstruction } from "../ast.ts";
import { commandLine } from "./command.ts";
import { chompedHeredocs, report, type TypeContext } from "./context.ts";
import { parseFlags } from "./flags.ts";
import { parseMount } from "./mount.ts";

const NETWORKS = ["default", "none", "host"] as const;
const SECURITY = ["sandbox", "insecure"] as const;

function oneOf<T extends string>(ctx: TypeContext, name: string, w: { text: string; span: { start: number; end: number } } | undefined, allowed: readonly T[]): T | undefined | null {
  if (w === undefined) return undefined;
  const v = allowed.find((a) => a === w.text);
  if (v === undefined) {
    report(ctx, "DF021", `invalid --${name}=${w.text}`, w.span, `use ${allowed.join(", ")}`);
    return null;
  }
  return v;
}

export function typeRun(ctx: TypeContext, node: Node): RunInstruction | undefined {
  const flags = parseFlags(ctx, node, { mount: "list", network: "string", security: "string" });
  const mounts: MountFlag[] = [];
  let ok = flags.ok;
  for (const w of flags.lists.get("mount") ?? []) {
    const m = parseMount(ctx, w);
    if (m === undefined) ok = false;
    else mounts.push(m);
  }
  const network = oneOf(ctx, "network", flags.strings.get("network"), NETWORKS);
  const security = oneOf(ctx, "security", flags.strings.get("security"), SECURITY);
  if (!ok || network === null || security === null) return undefined;
  return {
    kind: "RUN",
    node,
    span: node.span,
    command: commandLine(node),
    heredocs: chompedHeredocs(node),
    mounts,
    network,
    security,
  };
}
