/**
 * The async iterator imap / imapUnordered return. Chunks are delivered as they finish; the
 * iterator hands out their values in submission order (imap) or arrival order
 * (imapUnordered). A failed chunk throws its error at its place, as Python's imap raises from
 * next(); iteration can go on afterwards. The number of chunks is known only once the pool has
 * read the whole input (end()), and the pool reads ahead of the consumer only so far
 * (whenConsumed()), so an endless or slow input is fine.
 */
type Outcome<T> = { error: Error } | { values: T[]; bytes: number };

/** The results of pool.imap / pool.imapUnordered, as they come. */
export class ResultStream<T> implements AsyncIterableIterator<T> {
  // By position: submission order (imap) or arrival order (imapUnordered).
  readonly #outcomes = new Map<number, Outcome<T>>();
  readonly #ordered: boolean;
  #total = Infinity;
  #arrived = 0;
  #chunk = 0;
  #offset = 0;
  #stopped = false;
  #waiters: (() => void)[] = [];
  // Bytes per chunk of results, a moving average (0 before the first), and the bytes of those
  // delivered and not yet consumed.
  #chunkBytes = 0;
  #buffered = 0;

  /** @internal Made by the Pool. */
  static make<T>(ordered: boolean): ResultStream<T> {
    return new ResultStream<T>(ordered);
  }

  private constructor(ordered: boolean) {
    this.#ordered = ordered;
  }

  /** @internal Chunks the consumer has gone past. */
  get consumed(): number {
    return this.#chunk;
  }

  /** @internal Whether the consumer stopped iterating (return() or break). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * @internal How many chunks the input may be read ahead of the consumer: `most`, fewer when
   * results are big, so that those waiting for the consumer stay within about `bytes`; `least`
   * until the size of the results is known, and never fewer.
   */
  readAhead(least: number, most: number, bytes: number): number {
    if (this.#chunkBytes === 0) return least;
    const fit = this.#buffered >= bytes ? 0 : Math.floor(bytes / this.#chunkBytes);
    return Math.max(least, Math.min(most, fit));
  }

  /** @internal Chunk number `index` (in submission order) finished; its values take about `bytes`. */
  deliver(index: number, error: Error | null, values?: T[], bytes = 0): void {
    if (this.#stopped) return;
    const outcome = error ? { error } : { values: values ?? [], bytes };
    if (!error) {
      this.#chunkBytes = this.#chunkBytes === 0 ? Math.max(1, bytes) : 0.8 * this.#chunkBytes + 0.2 * bytes;
      this.#buffered += bytes;
    }
    this.#outcomes.set(this.#ordered ? index : this.#arrived, outcome);
    this.#arrived++;
    this.#wake();
  }

  /** @internal The input is exhausted: there are `total` chunks. */
  end(total: number): void {
    this.#total = total;
    this.#wake();
  }

  /** @internal Resolves once the consumer moved past another chunk or stopped. */
  whenConsumed(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#stopped || this.#chunk >= this.#total) return { done: true, value: undefined };
      const outcome = this.#outcomes.get(this.#chunk);
      if (!outcome) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
        continue;
      }
      if ('error' in outcome) {
        this.#advance();
        throw outcome.error;
      }
      if (this.#offset < outcome.values.length) return { done: false, value: outcome.values[this.#offset++]! };
      this.#advance();
    }
  }

  /** Stops iterating; the chunks already submitted still run, their results are dropped. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.#stopped = true;
    this.#outcomes.clear();
    this.#buffered = 0;
    this.#wake();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // Drops a consumed chunk, so that a long stream does not keep every result alive.
  #advance(): void {
    const outcome = this.#outcomes.get(this.#chunk);
    if (outcome && 'bytes' in outcome) this.#buffered -= outcome.bytes;
    this.#outcomes.delete(this.#chunk++);
    this.#offset = 0;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
