import type { LayerParts } from "./parts.ts";

/**
 * Why a layer step will not come from the cache, found by comparing what its
 * key is made of now with what it was made of at the last build of the same
 * target (step by step: each RUN of a merged layer has its own parts). The
 * first differing part is the reason; a step whose own parts are unchanged
 * misses because a step below it changed: `belowInLayer` when that step is
 * an earlier RUN of the same merged image layer.
 */
export function missReason(now: LayerParts, before: LayerParts | undefined, changedBelow: LayerParts | undefined, belowInLayer = false): string {
  if (before === undefined) return "not built before: no earlier build of this target has this layer";
  if (before.key === now.key) return "the cached layer is no longer in the store";
  if (now.layer === 0 && before.base !== now.base) return `the base changed: ${before.base} → ${now.base}`;
  if (now.texts.join("\n") !== before.texts.join("\n")) return `the instruction changed: "${before.texts.join("; ")}" → "${now.texts.join("; ")}"`;
  const env = envChange(before.env, now.env);
  if (env !== undefined) return env;
  if (now.files !== undefined && before.files !== undefined) {
    const files = fileChanges(before.files, now.files);
    if (files !== undefined) return files;
  }
  if (now.op !== before.op) return "the instruction's effective options changed (working directory, user, shell, its flags, or the build's --network, --add-host, --shm-size or --ulimit)";
  if (JSON.stringify(now.input) !== JSON.stringify(before.input)) return "its source changed (a stage or image it copies or mounts from)";
  if (changedBelow !== undefined && belowInLayer) return `an earlier RUN of this layer changed (line ${changedBelow.lines[0]}: ${changedBelow.texts[0]})`;
  if (changedBelow !== undefined) return `a layer below changed (line ${changedBelow.lines[0]}: ${changedBelow.texts[0]})`;
  return "its parent layer changed";
}

function envChange(before: readonly string[], now: readonly string[]): string | undefined {
  const b = new Map(before.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const n = new Map(now.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const changes: string[] = [];
  for (const [k, v] of n) if (b.get(k) !== v) changes.push(b.has(k) ? `${k}: "${b.get(k)}" → "${v}"` : `${k} added ("${v}")`);
  for (const k of b.keys()) if (!n.has(k)) changes.push(`${k} removed`);
  return changes.length ? `a build argument or environment variable changed: ${changes.join(", ")}` : undefined;
}

function fileChanges(before: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string | undefined {
  const added = Object.keys(now).filter((p) => !(p in before));
  const removed = Object.keys(before).filter((p) => !(p in now));
  const changed = Object.keys(now).filter((p) => p in before && before[p] !== now[p]);
  const parts = [
    ...changed.map((p) => `${p} changed`),
    ...added.map((p) => `${p} added`),
    ...removed.map((p) => `${p} removed`),
  ];
  if (parts.length === 0) return undefined;
  const shown = parts.slice(0, 5).join(", ");
  return `files in the build context changed: ${shown}${parts.length > 5 ? ` and ${parts.length - 5} more` : ""}`;
}
