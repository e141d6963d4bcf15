/**
 * `strata explain --platform A,B`'s formats: each platform's plan under a heading naming it, then
 * what the platforms share (explain/platforms.ts). json and yaml are the ExplainPlatforms object;
 * dot is one picture with a cluster per platform around that plan's stage clusters.
 */
import { DOT_HEAD, DOT_LEGEND, dotQuote, dotStages, type ExplainFormat, formatText, serialize } from "./format.ts";
import type { ExplainPlatforms } from "./schema.ts";

/** The shared section: each shared layer by stage and instruction, then each platform's own layer count. */
function sharedText(r: ExplainPlatforms): string[] {
  const names = r.platforms.map((p) => p.platform).join(", ");
  const out = [`shared by ${names}:`];
  if (r.shared.length === 0) out.push("  no layer: every platform builds all of its layers");
  else out.push(`  ${r.shared.length} ${r.shared.length === 1 ? "layer" : "layers"} alike in every platform's plan (the same cache key), built once:`);
  for (const l of r.shared) {
    out.push(`  stage ${l.stage}${l.stageName ? ` (${l.stageName})` : ""}  ${l.cacheKey.slice(7, 19)}`);
    for (const i of l.instructions) out.push(`      ${i.file}:${i.line}  ${i.text}`);
  }
  const own = r.platforms.map((p) => `${p.platform} ${p.ownLayers}`).join(", ");
  out.push(`own layers (built for that platform alone): ${own}`);
  return out;
}

function dotPlatforms(r: ExplainPlatforms): string {
  const out = [...DOT_HEAD];
  r.platforms.forEach((p, n) => {
    out.push(`  subgraph cluster_p${n} {`, `    label=${dotQuote(p.platform)};`, ...dotStages(p.plan, `p${n}_`, "    "), "  }");
  });
  out.push(...DOT_LEGEND, "}");
  return `${out.join("\n")}\n`;
}

export async function formatPlatforms(r: ExplainPlatforms, format: Exclude<ExplainFormat, "html">): Promise<string> {
  switch (format) {
    case "json":
    case "yaml":
      return serialize(r, format);
    case "dot":
      return dotPlatforms(r);
    default:
      return `${[...r.platforms.map((p) => `platform ${p.platform}:\n\n${formatText(p.plan)}`), ...sharedText(r)].join("\n")}\n`;
  }
}
