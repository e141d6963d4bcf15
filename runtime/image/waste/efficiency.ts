/**
 * The image efficiency score as dive computes it (wagoodman/dive, dive/filetree/efficiency.go,
 * `Efficiency`): every time a path appears as a file in a layer, its size is added to the path's
 * cumulative size, and the smallest size it was seen at is kept; a removal counts as an
 * appearance of size 0. The score is Σ smallest / Σ cumulative over all paths (1 when there are
 * no bytes): a file kept once scores 1, one added and later deleted adds its bytes to the
 * denominator only, one written twice counts its smaller copy as needed and the rest as waste.
 *
 * One difference, on purpose: dive sizes a directory's whiteout as one path whose cumulative and
 * smallest size are both the directory's total, so `COPY dir/ … ; RUN rm -rf dir` costs no
 * efficiency there; here each file the whiteout removes is a removal of that file (size 0), which
 * is what the score's own definition ("files that are removed discount your score, weighted by
 * the original file size") says. Directories are not counted (dive counts only leaves, and an
 * empty directory's size is 0).
 */
export class EfficiencyScore {
  readonly #paths = new Map<string, { cumulative: number; smallest: number }>();

  /** `path` seen as a file of `size` bytes in a layer (a removal: 0). */
  seen(path: string, size: number): void {
    const p = this.#paths.get(path);
    if (p === undefined) this.#paths.set(path, { cumulative: size, smallest: size });
    else {
      p.cumulative += size;
      p.smallest = Math.min(p.smallest, size);
    }
  }

  score(): number {
    let smallest = 0;
    let cumulative = 0;
    for (const p of this.#paths.values()) {
      smallest += p.smallest;
      cumulative += p.cumulative;
    }
    return cumulative === 0 ? 1 : smallest / cumulative;
  }
}
