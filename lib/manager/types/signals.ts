/**
 * Condition, Event and Barrier served by a manager. Predicates and barrier actions are code,
 * which never travels: Condition has no waitFor(), Barrier no action.
 */
import { BrokenBarrierError, MultiprocError } from '../../errors.js';
import { checkInteger, checkObject } from '../../validate.js';
import { kCallerGone, kContextual, type CallContext } from './context.js';
import { ManagedLock, ManagedRLock, type ManagedAcquireOptions } from './locks.js';
import { deadline, Waiters, type WaitOptions } from './waiting.js';

/** A Condition over a managed Lock or RLock (a new RLock by default). */
export class ManagedCondition {
  static readonly [kContextual] = true;
  readonly #lock: ManagedLock;
  readonly #waiters = new Waiters();

  constructor(_ctx: CallContext, lock?: unknown) {
    if (lock !== undefined && lock !== null && !(lock instanceof ManagedLock)) {
      throw Object.assign(new TypeError('The "lock" argument must be a Lock or RLock of the same manager'), { code: 'ERR_INVALID_ARG_TYPE' });
    }
    this.#lock = (lock as ManagedLock | undefined) ?? new ManagedRLock();
  }

  acquire(ctx: CallContext, options?: ManagedAcquireOptions): Promise<boolean> {
    return this.#lock.acquire(ctx, options);
  }

  release(ctx: CallContext): void {
    this.#lock.release(ctx);
  }

  /** Releases the lock, waits for a notify (true) or the timeout (false), takes the lock again. */
  async wait(ctx: CallContext, options?: WaitOptions): Promise<boolean> {
    const end = deadline(options);
    const owner = this.#lock as unknown as { owner: string | null; depth: number };
    if (owner.owner !== ctx.caller) throw new MultiprocError('wait() on an un-acquired condition', 'ERR_NOT_OWNER');
    const depth = owner.depth;
    owner.depth = 1;
    this.#lock.release(ctx);
    const woken = await this.#waiters.wait(ctx, end);
    if (ctx.signal.aborted) return false;
    await this.#lock.acquire(ctx);
    owner.depth = depth;
    return woken;
  }

  notify(ctx: CallContext, n: unknown = 1): void {
    this.#checkOwner(ctx);
    this.#waiters.wake(checkInteger(n, 'n', 0, 2 ** 31 - 1));
  }

  notifyAll(ctx: CallContext): void {
    this.#checkOwner(ctx);
    this.#waiters.wakeAll();
  }

  #checkOwner(ctx: CallContext): void {
    if ((this.#lock as unknown as { owner: string | null }).owner !== ctx.caller) {
      throw new MultiprocError('notify() on an un-acquired condition', 'ERR_NOT_OWNER');
    }
  }

  [kCallerGone](caller: string): void {
    this.#lock[kCallerGone](caller);
  }
}

/** An Event. */
export class ManagedEvent {
  static readonly [kContextual] = true;
  #set = false;
  readonly #waiters = new Waiters();

  isSet(): boolean { return this.#set; }

  set(): void {
    this.#set = true;
    this.#waiters.wakeAll();
  }

  clear(): void { this.#set = false; }

  async wait(ctx: CallContext, options?: WaitOptions): Promise<boolean> {
    const end = deadline(options);
    if (this.#set) return true;
    return await this.#waiters.wait(ctx, end) || this.#set;
  }
}

/** A Barrier of `parties` callers; a caller gone while waiting breaks it, as a thread dying would. */
export class ManagedBarrier {
  static readonly [kContextual] = true;
  readonly #parties: number;
  readonly #timeout: number | undefined;
  #waiting: { caller: string; release: (index: number) => void; fail: (err: Error) => void }[] = [];
  #broken = false;

  constructor(_ctx: CallContext, parties: unknown, options?: unknown) {
    this.#parties = checkInteger(parties, 'parties', 1, 2 ** 31 - 1);
    const t = checkObject(options, 'options').timeout;
    this.#timeout = t === undefined ? undefined : checkInteger(t, 'options.timeout', 0, 2 ** 31 - 1);
  }

  /** Resolves with this caller's index (0 .. parties-1) once all parties wait. */
  async wait(ctx: CallContext, options?: WaitOptions): Promise<number> {
    const end = deadline({ timeout: checkObject(options, 'options').timeout ?? this.#timeout });
    if (this.#broken) throw new BrokenBarrierError();
    const index = this.#parties - 1 - this.#waiting.length;
    if (index === 0) {
      const all = this.#waiting;
      this.#waiting = [];
      all.forEach((w, i) => w.release(this.#parties - 1 - i));
      return 0;
    }
    return new Promise<number>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onGone);
      };
      const entry = {
        caller: ctx.caller,
        release: (i: number) => { cleanup(); resolve(i); },
        fail: (err: Error) => { cleanup(); reject(err); },
      };
      const onGone = () => this.abort();
      if (end !== Infinity) timer = setTimeout(() => this.abort(), Math.max(0, end - performance.now()));
      ctx.signal.addEventListener('abort', onGone, { once: true });
      this.#waiting.push(entry);
    });
  }

  /** Breaks the barrier: every waiter, and every wait until reset(), fails with BrokenBarrierError. */
  abort(): void {
    this.#broken = true;
    const all = this.#waiting;
    this.#waiting = [];
    for (const w of all) w.fail(new BrokenBarrierError());
  }

  reset(): void {
    this.abort();
    this.#broken = false;
  }

  parties(): number { return this.#parties; }
  nWaiting(): number { return this.#waiting.length; }
  broken(): boolean { return this.#broken; }
}
