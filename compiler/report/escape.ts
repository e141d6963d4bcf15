/**
 * Text into HTML and SVG: every Dockerfile text, path and reason the report shows goes through
 * `html` (a RUN line may hold `<script>`). Our own because it is five replacements.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}
