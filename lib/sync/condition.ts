import { Kind, native, WaitOp } from '../binding.js';
import { MultiprocError, ReleaseError } from '../errors.js';
import { embeddedLock } from '../shared/segments.js';
import { kReduce, type Handle } from '../travel.js';
import { checkFunction, checkInteger, checkTimeout, describe, typeError } from '../validate.js';
import { Lock, withAcquired, type AcquireOptions, type AcquireSyncOptions,
  type NamedOptions } from './lock.js';
import { isAttach, kAttach, place, rebuildAs, SharedPrimitive, unlinkNamed,
  type Attach } from './primitive.js';
import { rebuildLock, RLock } from './rlock.js';
import { waitAsync, waitSync } from './waits.js';

const ALL = 0xffffffff;

/**
 * A process-shared condition variable (Python's multiprocessing.Condition). notify(n) wakes
 * exactly the n longest-waiting processes, never one that started waiting after the notify.
 * Without a lock of its own it uses an RLock kept in the same shared block.
 */
export class Condition extends SharedPrimitive {
  readonly #lock: Lock | RLock;

  constructor(lock?: Lock | RLock | null, options?: NamedOptions);
  constructor(lock?: Lock | RLock | null | Attach, options?: NamedOptions | Handle | null) {
    if (lock !== undefined && lock !== null && !(lock instanceof Lock) &&
        !(lock instanceof RLock) && !isAttach(lock)) {
      throw typeError(`The "lock" argument must be a Lock or an RLock, received ${describe(lock)}`);
    }
    const embedded = lock === undefined || lock === null;
    super(place(isAttach(lock) ? lock : options, {
      kind: Kind.Condition, prefix: 'condition', withLock: embedded,
    }));
    const given = isAttach(lock) ? (options ? rebuildLock(options) : null) : lock ?? null;
    this.#lock = given ?? new RLock({ [kAttach]: embeddedLock(this.placement, this) } as NamedOptions);
  }

  /** The lock this condition waits with. */
  get lock(): Lock | RLock {
    return this.#lock;
  }

  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  acquireSync(options?: AcquireSyncOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  release(): void {
    this.#lock.release();
  }

  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return withAcquired(this.#lock, fn);
  }

  /**
   * Releases the lock, waits for a notify (or `timeout` ms), and takes the lock back before
   * returning. Resolves false on timeout. Must be called holding the lock.
   */
  async wait(timeout?: number): Promise<boolean> {
    const ms = checkTimeout(timeout);
    const ticket = this.#enqueue('wait');
    const depth = this.#releaseFully();
    let signalled = false;
    try {
      const p = this.placement;
      signalled = (await waitAsync(WaitOp.Condition, p.seg.native, p.offset, ticket, ms)) !== null;
    } finally {
      await this.#reacquire(depth, () => this.#lock.acquire());
    }
    return signalled || native.conditionWithdraw(this.placement.seg.native, this.placement.offset, ticket);
  }

  /** wait(), blocking this thread. */
  waitSync(timeout?: number): boolean {
    const ms = checkTimeout(timeout);
    const ticket = this.#enqueue('waitSync');
    const depth = this.#releaseFully();
    let signalled = false;
    try {
      const p = this.placement;
      signalled = waitSync(WaitOp.Condition, p.seg.native, p.offset, ticket, ms) !== null;
    } finally {
      this.#reacquireSync(depth);
    }
    return signalled || native.conditionWithdraw(this.placement.seg.native, this.placement.offset, ticket);
  }

  /** Waits until `predicate()` is truthy (checked first), or `timeout` ms; returns its last value. */
  async waitFor<T>(predicate: () => T, timeout?: number): Promise<T> {
    checkFunction(predicate, 'predicate');
    const ms = checkTimeout(timeout);
    const deadline = ms < 0 ? Infinity : performance.now() + ms;
    let result = predicate();
    while (!result) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await this.wait(remaining === Infinity ? undefined : remaining);
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` waiters. Must be called holding the lock. */
  notify(n = 1): void {
    checkInteger(n, 'n', 0, ALL);
    this.#checkOwned('notify');
    native.conditionNotify(this.placement.seg.native, this.placement.offset, n);
  }

  /** Wakes every waiter. Must be called holding the lock. */
  notifyAll(): void {
    this.#checkOwned('notifyAll');
    native.conditionNotify(this.placement.seg.native, this.placement.offset, ALL);
  }

  #checkOwned(what: string): void {
    if (!this.#lock.isMine()) {
      throw new ReleaseError(`cannot ${what}() on a Condition whose lock is not held`, 'ERR_NOT_OWNER');
    }
  }

  #enqueue(what: string): number {
    this.#checkOwned(what);
    const ticket = native.conditionEnqueue(this.placement.seg.native, this.placement.offset);
    if (ticket < 0) throw new MultiprocError('too many processes are waiting on this Condition', 'EAGAIN');
    return ticket;
  }

  #releaseFully(): number {
    if (this.#lock instanceof RLock) return this.#lock.releaseAll();
    this.#lock.release();
    return 1;
  }

  async #reacquire(depth: number, acquire: () => Promise<boolean>): Promise<void> {
    try {
      await acquire();
    } finally {
      if (this.#lock instanceof RLock && this.#lock.isMine()) this.#lock.restoreDepth(depth);
    }
  }

  // An OwnerDeadError still leaves the lock held, so the depth is restored either way.
  #reacquireSync(depth: number): void {
    try {
      this.#lock.acquireSync();
    } finally {
      if (this.#lock instanceof RLock && this.#lock.isMine()) this.#lock.restoreDepth(depth);
    }
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed('condition', name);
  }

  [kReduce](): Handle {
    const own = this.placement.lockOffset !== null;
    return this.handle('Condition', own ? null : this.#lock[kReduce]());
  }
}

rebuildAs('Condition', Kind.Condition,
  (attach, lockHandle) => new Condition(attach as never, lockHandle as never));
