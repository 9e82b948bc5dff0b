/**
 * Lock, RLock and semaphores served by a manager. A lock is owned by its caller (one thread of
 * one client); when that caller is gone with the lock held, the lock is released and the next
 * waiter takes it: better than Python, whose manager keeps such a lock held forever.
 * Semaphores are not owned: a caller gone gives nothing back.
 */
import { ReleaseError } from '../../errors.js';
import { checkInteger, checkObject } from '../../validate.js';
import { kCallerGone, kContextual, type CallContext } from './context.js';
import { deadline, Waiters } from './waiting.js';

/** Options of acquire(). */
export interface ManagedAcquireOptions {
  /** false: do not wait. */
  blocking?: boolean;
  /** Milliseconds to wait at most; absent: forever. */
  timeout?: number;
}

function until(options: unknown): number {
  const o = checkObject(options, 'options');
  if (o.blocking === false) return 0;
  return deadline(o);
}

/** A Lock (Python's AcquirerProxy of threading.Lock), owned by the caller that acquired it. */
export class ManagedLock {
  static readonly [kContextual] = true;
  protected owner: string | null = null;
  protected depth = 0;
  protected readonly waiters = new Waiters();
  protected readonly recursive: boolean = false;

  async acquire(ctx: CallContext, options?: ManagedAcquireOptions): Promise<boolean> {
    const end = until(options);
    for (;;) {
      if (this.owner === null) {
        this.owner = ctx.caller;
        this.depth = 1;
        return true;
      }
      if (this.recursive && this.owner === ctx.caller) {
        this.depth++;
        return true;
      }
      if (!await this.waiters.wait(ctx, end)) return false;
    }
  }

  release(ctx: CallContext): void {
    if (this.owner !== ctx.caller) {
      throw new ReleaseError(this.owner === null ? 'release of an unlocked lock' : 'the lock is held by another caller', this.owner === null ? 'ERR_NOT_LOCKED' : 'ERR_NOT_OWNER');
    }
    if (--this.depth > 0) return;
    this.owner = null;
    this.waiters.wake();
  }

  locked(): boolean {
    return this.owner !== null;
  }

  [kCallerGone](caller: string): void {
    if (this.owner !== caller) return;
    this.owner = null;
    this.depth = 0;
    this.waiters.wake();
  }
}

/** An RLock: acquired again by its owner, released as many times. */
export class ManagedRLock extends ManagedLock {
  protected override readonly recursive: boolean = true;
}

/** A Semaphore (Python's threading.Semaphore). */
export class ManagedSemaphore {
  static readonly [kContextual] = true;
  #value: number;
  readonly #waiters = new Waiters();
  protected readonly bound: number | null = null;

  constructor(_ctx: CallContext, value: unknown = 1) {
    this.#value = checkInteger(value, 'value', 0, 2 ** 31 - 1);
  }

  async acquire(ctx: CallContext, options?: ManagedAcquireOptions): Promise<boolean> {
    const end = until(options);
    while (this.#value === 0) {
      if (!await this.#waiters.wait(ctx, end)) return false;
    }
    this.#value--;
    return true;
  }

  release(_ctx: CallContext, n: unknown = 1): void {
    const k = checkInteger(n, 'n', 1, 2 ** 31 - 1);
    if (this.bound !== null && this.#value + k > this.bound) throw new ReleaseError('the semaphore was released too many times');
    this.#value += k;
    this.#waiters.wake(k);
  }

  getValue(): number {
    return this.#value;
  }
}

/** A BoundedSemaphore: releasing past its initial value is a ReleaseError. */
export class ManagedBoundedSemaphore extends ManagedSemaphore {
  protected override readonly bound: number;
  constructor(ctx: CallContext, value: unknown = 1) {
    super(ctx, value);
    this.bound = value as number;
  }
}
