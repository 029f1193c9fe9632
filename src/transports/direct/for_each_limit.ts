/**
 * Bounded concurrency for the direct transport: independent file operations of a batch
 * (direct_transport.ts), the files of one directory in a subtree copy (tree_copy.ts) and the
 * directory times restored at a batch's end (attr_restore.ts).
 *
 * Contract: `fn` runs over `items` with at most `limit` calls in flight; every call settles
 * before the promise does (no operation is left running behind a failure), and the promise then
 * rejects with the error of the FIRST failing item in item order, so the reported failure does not
 * depend on scheduling.
 */

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first error (in item order) after all settled. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: { index: number; err: unknown }[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!);
      } catch (err) {
        errors.push({ index: i, err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) {
    errors.sort((a, b) => a.index - b.index);
    throw errors[0]!.err;
  }
}
