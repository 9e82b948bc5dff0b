/** Callers waiting in a managed object: woken in order, given up on timeout or when gone. */
import { checkObject, checkTimeout } from '../../validate.js';
import type { CallContext } from './context.js';

interface Waiter {
  wake: () => void;
}

/** Options of the waits of managed objects: milliseconds, absent: forever. */
export interface WaitOptions {
  timeout?: number;
}

/** An absolute deadline (Infinity: none) from `{ timeout }`. */
export function deadline(options: unknown, name = 'options'): number {
  const ms = checkTimeout(checkObject(options, name).timeout);
  return ms < 0 ? Infinity : performance.now() + ms;
}

export class Waiters {
  readonly #queue: Waiter[] = [];

  get size(): number {
    return this.#queue.length;
  }

  /** Resolves true once woken, false at `until` or when the caller is gone. */
  wait(ctx: CallContext, until: number): Promise<boolean> {
    if (ctx.signal.aborted) return Promise.resolve(false);
    const left = until - performance.now();
    if (left <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (woken: boolean) => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        if (timer) clearTimeout(timer);
        ctx.signal.removeEventListener('abort', gone);
        resolve(woken);
      };
      const waiter: Waiter = { wake: () => done(true) };
      const gone = () => done(false);
      if (until !== Infinity) timer = setTimeout(gone, left);
      ctx.signal.addEventListener('abort', gone, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Wakes the first `n` waiters; returns how many there were. */
  wake(n = 1): number {
    const woken = this.#queue.slice(0, n);
    for (const w of woken) w.wake();
    return woken.length;
  }

  wakeAll(): number {
    return this.wake(this.#queue.length);
  }
}
