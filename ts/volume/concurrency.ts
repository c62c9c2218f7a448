/** Bounded concurrency for I/O-bound loops (chunk reads of a region). */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight (at least one, whatever `limit`
 * says: a limit of 0 or NaN must not skip the work); rejects with the first error.
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, Math.floor(limit) || 1), items.length) }, worker));
}
