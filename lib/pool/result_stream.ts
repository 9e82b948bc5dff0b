/**
 * The async iterator imap / imapUnordered return. Chunks are delivered as they finish; the
 * iterator hands out their values in submission order (imap) or arrival order
 * (imapUnordered). A failed chunk throws its error at its place, as Python's imap raises from
 * next(); iteration can go on afterwards.
 */
type Outcome<T> = { error: Error } | { values: T[] };

/** The results of pool.imap / pool.imapUnordered, as they come. */
export class ResultStream<T> implements AsyncIterableIterator<T> {
  readonly #outcomes: (Outcome<T> | undefined)[] = [];
  readonly #total: number;
  readonly #ordered: boolean;
  #arrived = 0;
  #chunk = 0;
  #offset = 0;
  #waiters: (() => void)[] = [];

  /** @internal Made by the Pool for `total` chunks. */
  constructor(total: number, ordered: boolean) {
    this.#total = total;
    this.#ordered = ordered;
  }

  /** @internal Chunk number `index` (in submission order) finished. */
  deliver(index: number, error: Error | null, values?: T[]): void {
    if (this.#chunk >= this.#total) return;
    const outcome = error ? { error } : { values: values ?? [] };
    this.#outcomes[this.#ordered ? index : this.#arrived] = outcome;
    this.#arrived++;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#chunk >= this.#total) return { done: true, value: undefined };
      const outcome = this.#outcomes[this.#chunk];
      if (!outcome) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
        continue;
      }
      if ('error' in outcome) {
        this.#outcomes[this.#chunk++] = undefined;
        throw outcome.error;
      }
      if (this.#offset < outcome.values.length) return { done: false, value: outcome.values[this.#offset++]! };
      // Consumed: drop it so a long stream does not keep every result alive.
      this.#outcomes[this.#chunk++] = undefined;
      this.#offset = 0;
    }
  }

  /** Stops iterating; the remaining tasks still run, their results are dropped. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.#chunk = this.#total;
    this.#outcomes.length = 0;
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
