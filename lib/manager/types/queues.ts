/**
 * Queue and JoinableQueue served by a manager. A get() waiting for a caller that is gone takes
 * nothing: the item stays for the next one.
 */
import { Empty, Full, MultiprocError } from '../../errors.js';
import { checkInteger, checkObject } from '../../validate.js';
import { kContextual, type CallContext } from './context.js';
import { deadline, Waiters } from './waiting.js';

/** Options of put() and get(). */
export interface ManagedQueueOptions {
  /** false: do not wait (Empty / Full at once). */
  block?: boolean;
  /** Milliseconds to wait at most; absent: forever. */
  timeout?: number;
}

function until(options: unknown): number {
  const o = checkObject(options, 'options');
  return o.block === false ? 0 : deadline(o);
}

/** A Queue (Python's queue.Queue in a manager); maxsize 0: unbounded. */
export class ManagedQueue {
  static readonly [kContextual] = true;
  readonly #items: unknown[] = [];
  readonly #maxsize: number;
  readonly #readers = new Waiters();
  readonly #writers = new Waiters();
  protected unfinished = 0;
  protected readonly joiners = new Waiters();

  constructor(_ctx: CallContext, maxsize: unknown = 0) {
    this.#maxsize = checkInteger(maxsize, 'maxsize', 0, 2 ** 31 - 1);
  }

  async put(ctx: CallContext, item: unknown, options?: ManagedQueueOptions): Promise<void> {
    const end = until(options);
    while (this.full()) {
      if (!await this.#writers.wait(ctx, end)) {
        if (!this.full()) break;
        throw new Full();
      }
    }
    ctx.hold(item);
    this.#items.push(item);
    this.unfinished++;
    this.#readers.wake();
  }

  async get(ctx: CallContext, options?: ManagedQueueOptions): Promise<unknown> {
    const end = until(options);
    while (this.#items.length === 0) {
      if (!await this.#readers.wait(ctx, end) && this.#items.length === 0) {
        if (ctx.signal.aborted) throw new MultiprocError('the caller is gone', 'ERR_MANAGER_GONE');
        throw new Empty();
      }
    }
    const item = this.#items.shift();
    this.#writers.wake();
    if (this.#items.length > 0) this.#readers.wake();
    ctx.drop(item);
    return item;
  }

  putNowait(ctx: CallContext, item: unknown): Promise<void> {
    return this.put(ctx, item, { block: false });
  }

  getNowait(ctx: CallContext): Promise<unknown> {
    return this.get(ctx, { block: false });
  }

  qsize(): number { return this.#items.length; }
  empty(): boolean { return this.#items.length === 0; }
  full(): boolean { return this.#maxsize > 0 && this.#items.length >= this.#maxsize; }
}

/** A JoinableQueue: taskDone() per item got, join() until all are done. */
export class ManagedJoinableQueue extends ManagedQueue {
  taskDone(): void {
    if (this.unfinished === 0) throw new MultiprocError('taskDone() called more times than items were put', 'ERR_TASK_DONE');
    if (--this.unfinished === 0) this.joiners.wakeAll();
  }

  async join(ctx: CallContext): Promise<void> {
    while (this.unfinished > 0) {
      if (!await this.joiners.wait(ctx, Infinity)) return;
    }
  }
}
