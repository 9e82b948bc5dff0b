/** AsyncResult: the handle applyAsync / mapAsync / starmapAsync return (Python's AsyncResult). */
import { MultiprocError, TimeoutError } from '../errors.js';
import { checkTimeout } from '../validate.js';
import { settledWithin } from '../settled_within.js';

/** Callbacks of applyAsync / mapAsync / starmapAsync, called in this process. */
export interface AsyncResultCallbacks<T> {
  /** Called with the result once it is there. */
  callback?: (value: T) => void;
  /** Called with the error if the task fails. */
  errorCallback?: (error: Error) => void;
}

type State<T> = { status: 'pending' } | { status: 'ok'; value: T } | { status: 'failed'; error: Error };

/** The eventual result of a task submitted to a Pool. */
export class AsyncResult<T> {
  #state: State<T> = { status: 'pending' };
  readonly #settled: Promise<void>;
  #markSettled!: () => void;
  readonly #callbacks: AsyncResultCallbacks<T>;

  /** @internal Made by the Pool. */
  static make<T>(callbacks?: AsyncResultCallbacks<T>): AsyncResult<T> {
    return new AsyncResult<T>(callbacks);
  }

  private constructor(callbacks: AsyncResultCallbacks<T> = {}) {
    this.#callbacks = callbacks;
    this.#settled = new Promise<void>((resolve) => { this.#markSettled = resolve; });
  }

  /** The result; rejects with the task's error, or with mp.TimeoutError after `timeout` ms. */
  async get(timeout?: number): Promise<T> {
    const ms = checkTimeout(timeout);
    if (this.#state.status === 'pending' && !(await this.#waitFor(ms))) {
      throw new TimeoutError(`the result was not ready within ${ms} ms`);
    }
    const state = this.#state;
    if (state.status === 'failed') throw state.error;
    return (state as { value: T }).value;
  }

  /** Resolves once the result is ready, or after `timeout` ms. */
  async wait(timeout?: number): Promise<void> {
    await this.#waitFor(checkTimeout(timeout));
  }

  /** Whether the task has finished (successfully or not). */
  ready(): boolean {
    return this.#state.status !== 'pending';
  }

  /** Whether the task finished without error; throws if it has not finished. */
  successful(): boolean {
    if (this.#state.status === 'pending') {
      throw new MultiprocError('the result is not ready', 'ERR_RESULT_NOT_READY');
    }
    return this.#state.status === 'ok';
  }

  /** @internal Settles the result (once) and runs the matching callback. */
  settle(error: Error | null, value?: T): void {
    if (this.#state.status !== 'pending') return;
    this.#state = error ? { status: 'failed', error } : { status: 'ok', value: value as T };
    this.#markSettled();
    try {
      if (error) this.#callbacks.errorCallback?.(error);
      else this.#callbacks.callback?.(value as T);
    } catch (err) {
      // A failing callback is the caller's bug: surface it as an uncaught exception rather than
      // lose it, and leave the pool's bookkeeping unharmed.
      queueMicrotask(() => { throw err; });
    }
  }

  // True once settled, false after `ms` (negative: no limit).
  async #waitFor(ms: number): Promise<boolean> {
    if (this.#state.status !== 'pending') return true;
    return settledWithin(this.#settled, ms);
  }
}
