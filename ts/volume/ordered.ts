/**
 * A bounded, order-preserving async map: at most `window` calls in flight, results yielded in
 * input order. The shard writer needs chunks in (minishard, id) order while reads of the next
 * chunks overlap the current one; the window is what bounds memory.
 */
export async function* orderedMap<T, R>(
  items: Iterable<T>,
  window: number,
  fn: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const source = items[Symbol.iterator]();
  const queue: Promise<R>[] = [];
  let index = 0;
  const fill = () => {
    while (queue.length < Math.max(1, window)) {
      const next = source.next();
      if (next.done) return;
      const p = fn(next.value, index++);
      // Awaited in order below; until then a rejection must not count as unhandled.
      p.catch(() => undefined);
      queue.push(p);
    }
  };
  fill();
  while (queue.length > 0) {
    const result = await queue.shift()!;
    fill();
    yield result;
  }
}
