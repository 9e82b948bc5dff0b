import { Kind, LOCK_OWNER_MASK, native, WaitOp } from '../binding.js';
import { ReleaseError } from '../errors.js';
import { invalidHandle, kReduce, rebuild, type Handle } from '../travel.js';
import { checkObject, checkTimeout } from '../validate.js';
import { checkPolicy, Lock, rebuiltOptions, RobustLock, syncTimeout, withAcquired, type AcquireOptions,
  type AcquireSyncOptions, type LockOptions } from './lock.js';
import { place, rebuildAs, THREAD, unlinkNamed, type Attach } from './primitive.js';
import { waitAsync, waitSync } from './waits.js';
import { casWord, loadWord } from './word_ops.js';

/**
 * A process-shared recursive lock (Python's multiprocessing.RLock): the holding thread may
 * acquire it again and must release it as many times. State words: holder's lease id (+ waiters
 * bit), holder thread, depth; only the holder writes the last two.
 */
export class RLock extends RobustLock {
  constructor(options?: LockOptions);
  constructor(options?: LockOptions | Attach) {
    super(place(options, { kind: Kind.RLock, prefix: 'rlock' }), checkPolicy(options));
  }

  /** Acquires without blocking the event loop; false if `timeout` passed first. */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = checkTimeout(checkObject(options, 'options').timeout);
    if (this.tryFast()) return true;
    const p = this.placement;
    return this.settle(await waitAsync(WaitOp.RLock, p.seg.native, p.offset, THREAD, timeout));
  }

  /** Acquires, blocking this thread; with `block: false` only tries. */
  acquireSync(options?: AcquireSyncOptions): boolean {
    if (options === undefined && this.tryFast()) return true;
    return this.acquireSlow(options);
  }

  // Options are checked before the lock is taken: bad ones must not leave it held.
  private acquireSlow(options: AcquireSyncOptions | undefined): boolean {
    const timeout = syncTimeout(options);
    if (this.tryFast()) return true;
    const p = this.placement;
    return this.settle(waitSync(WaitOp.RLock, p.seg.native, p.offset, THREAD, timeout));
  }

  private tryFast(): boolean {
    const i32 = this.i32;
    const i = this.idx;
    if (i32[i + 1] === THREAD && (loadWord(this.wasm, i32, i) & LOCK_OWNER_MASK) === this.me) {
      i32[i + 2]!++;
      return true;
    }
    if (casWord(this.wasm, i32, i, 0, this.me) === 0) {
      i32[i + 1] = THREAD;
      i32[i + 2] = 1;
      return true;
    }
    return false;
  }

  /** Releases one level; the lock is free when every acquire has been matched. */
  release(): void {
    const i32 = this.i32;
    const i = this.idx;
    if (!this.isMine()) {
      throw new ReleaseError('cannot release an RLock this thread does not hold', 'ERR_NOT_OWNER');
    }
    if (--i32[i + 2]! > 0) return;
    i32[i + 1] = 0;
    this.died = false;
    if (casWord(this.wasm, i32, i, this.me, 0) === this.me) return;
    native.lockRelease(this.placement.seg.native, this.placement.offset, true);
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return withAcquired(this, fn);
  }

  /** Whether this thread holds the lock. */
  isMine(): boolean {
    return this.i32[this.idx + 1] === THREAD &&
      (loadWord(this.wasm, this.i32, this.idx) & LOCK_OWNER_MASK) === this.me;
  }

  /** Releases every level and returns the depth, for Condition.wait(). */
  releaseAll(): number {
    const depth = this.i32[this.idx + 2]!;
    this.i32[this.idx + 2] = 1;
    this.release();
    return depth;
  }

  /** Restores the depth saved by releaseAll() once the lock is held again. */
  restoreDepth(depth: number): void {
    this.i32[this.idx + 2] = depth;
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed('rlock', name);
  }

  [kReduce](): Handle {
    return this.lockHandle('RLock');
  }
}

rebuildAs('RLock', Kind.RLock, (attach, extra) => new RLock(rebuiltOptions(attach, extra)));

/** Rebuilds, from its handle, the lock that a Condition, Value or Array shares. */
export function rebuildLock(handle: unknown): Lock | RLock {
  const lock = rebuild(handle as Handle);
  if (!(lock instanceof Lock) && !(lock instanceof RLock)) {
    throw invalidHandle('the shared lock is not a Lock or an RLock');
  }
  return lock;
}
