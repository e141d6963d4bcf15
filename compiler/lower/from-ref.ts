/** Stage names seen so far, for `--from` lookups. */
export interface StageNames {
  readonly names: readonly string[];
  readonly index: number;
}

/** Resolves a `--from` name: an earlier stage by name or index, else an image reference. */
export function fromRef(name: string, drafts: readonly StageNames[]): { stage: number } | { image: string } {
  const byName = drafts.find((d) => d.names.includes(name.toLowerCase()));
  if (byName) return { stage: byName.index };
  if (/^\d+$/.test(name) && Number(name) < drafts.length) return { stage: Number(name) };
  return { image: name };
}
