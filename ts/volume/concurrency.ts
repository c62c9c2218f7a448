/** Bounded concurrency for I/O-bound loops: chunk reads of a region, shard writes in order. */

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

/**
 * Runs `fn` over an async stream with at most `limit` calls in flight (at least one),
 * pulling the next item only when a slot is free, so memory stays bounded by `limit`;
 * rejects with the first error once the calls in flight have settled.
 */
export async function forEachConcurrentStream<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const slots = Math.max(1, Math.floor(limit) || 1);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for await (const item of items) {
      if (failure) break;
      const p: Promise<void> = fn(item).then(
        () => void running.delete(p),
        (error: unknown) => {
          running.delete(p);
          failure ??= { error };
        },
      );
      running.add(p);
      if (running.size >= slots) await Promise.race(running);
    }
  } finally {
    // A failing stream still lets the calls it started finish before the error surfaces.
    await Promise.all(running);
  }
  if (failure) throw failure.error;
}

/**
 * A limit on calls in flight shared by several callers: `run(fn)` starts `fn` once fewer than
 * `limit` (at least one) earlier calls are pending. Lets a read-ahead window hold more results
 * than it has requests outstanding.
 */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  const max = Math.max(1, Math.floor(limit) || 1);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    // A finishing call hands its slot straight to the next waiter, so none can slip in between.
    if (active >= max) await new Promise<void>((go) => waiting.push(go));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * Splits one async stream into several consumed at once: each item goes to the consumers
 * `route` names, and each consumer sees its items in source order. The source is read once
 * (a DVID block decoded once feeds a precomputed shard and a zarr shard); a consumer more
 * than `highWater` items behind pauses the source. A consumer that stops early (it failed)
 * gets nothing more; a source error reaches every consumer still reading.
 */
export async function fanOut<T, K, R>(
  source: AsyncIterable<T>,
  keys: readonly K[],
  route: (item: T) => Iterable<K>,
  consume: (key: K, items: AsyncIterable<T>) => Promise<R>,
  highWater = 16,
): Promise<Map<K, R>> {
  interface Lane {
    queue: T[];
    closed: boolean;
    wake?: () => void;
  }
  const lanes = new Map<K, Lane>(keys.map((k) => [k, { queue: [], closed: false }]));
  let ended = false;
  let failure: { error: unknown } | undefined;
  let resumeSource: (() => void) | undefined;
  const wakeAll = () => {
    for (const l of lanes.values()) l.wake?.();
  };
  const lane = (l: Lane): AsyncIterable<T> => ({
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (l.queue.length > 0) {
            const value = l.queue.shift()!;
            if (l.queue.length <= highWater / 2) resumeSource?.();
            return { value, done: false };
          }
          if (failure) throw failure.error;
          if (ended || l.closed) return { value: undefined, done: true };
          await new Promise<void>((r) => (l.wake = r));
          l.wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<T>> {
        l.closed = true;
        l.queue.length = 0;
        resumeSource?.();
        return { value: undefined, done: true };
      },
    }),
  });
  const pump = async () => {
    try {
      for await (const item of source) {
        for (const k of route(item)) {
          const l = lanes.get(k);
          if (!l || l.closed) continue;
          l.queue.push(item);
          l.wake?.();
        }
        while ([...lanes.values()].some((l) => !l.closed && l.queue.length > highWater)) {
          await new Promise<void>((r) => (resumeSource = r));
          resumeSource = undefined;
        }
        if ([...lanes.values()].every((l) => l.closed)) break;
      }
    } catch (e) {
      failure = { error: e };
    } finally {
      ended = true;
      wakeAll();
    }
  };
  const pumping = pump();
  const results = await Promise.allSettled(
    keys.map((k) => {
      const l = lanes.get(k)!;
      // However a consumer ends, the source must not wait for it any more.
      return consume(k, lane(l)).finally(() => {
        l.closed = true;
        l.queue.length = 0;
        resumeSource?.();
      });
    }),
  );
  await pumping;
  const out = new Map<K, R>();
  for (const [i, r] of results.entries()) {
    if (r.status === "rejected") throw r.reason;
    out.set(keys[i]!, r.value);
  }
  return out;
}
