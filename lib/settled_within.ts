/** Waiting for a promise with a time limit, without leaving a timer behind. */

/** True once `promise` settles (either way), false if `ms` passed first; `ms` < 0: no limit. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(() => true, () => true);
  if (ms < 0) return settled;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([settled,
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
