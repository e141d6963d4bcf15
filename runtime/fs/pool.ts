/**
 * Maps with at most `limit` calls in flight, results in input order. File
 * work (lstat, hashing, copying thousands of small files) is bound by the
 * latency of one syscall at a time when awaited one by one; a few dozen in
 * flight keep the kernel and the thread pool busy.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
