import { Kind, LOCK_OWNER_MASK, native, WaitOp } from '../binding.js';
import { OwnerDeadError, ReleaseError } from '../errors.js';
import { getLogger } from '../process/logger.js';
import type { Placement } from '../shared/segments.js';
import { invalidHandle, kReduce, type Handle } from '../travel.js';
import { checkBoolean, checkFunction, checkObject, checkTimeout, rangeError } from '../validate.js';
import { waitAsync, waitSync } from './waits.js';
import { place, rebuildAs, SharedPrimitive, unlinkNamed, type Attach } from './primitive.js';
import { casWord, loadWord, wasmWordOps, type WordOps } from './word_ops.js';

/** Options of `acquire()`. */
export interface AcquireOptions {
  /** Milliseconds to wait at most; absent means forever. */
  timeout?: number;
}

/** Options of `acquireSync()`. */
export interface AcquireSyncOptions extends AcquireOptions {
  /** false: only try, never wait. */
  block?: boolean;
}

/** Options of every named primitive's constructor. */
export interface NamedOptions {
  /** Open or create the system-wide object of this name, shared with unrelated programs. */
  name?: string;
}

/**
 * What an acquire does that finds the previous holder died holding the lock. 'recover': it
 * succeeds, logs a warning and sets `ownerDied`; 'throw': it throws OwnerDeadError, the lock
 * held, for code that must repair what the lock guards first.
 */
export type OwnerDeadPolicy = 'recover' | 'throw';

/** Options of the constructors of Lock and RLock. */
export interface LockOptions extends NamedOptions {
  /** What an acquire does when the previous holder died holding the lock (default 'recover'). */
  ownerDead?: OwnerDeadPolicy;
}

const OWNER_DEAD = 2;

/** The `ownerDead` option of a lock's constructor. */
export function checkPolicy(options: unknown): OwnerDeadPolicy {
  const policy = checkObject(options, 'options').ownerDead ?? 'recover';
  if (policy !== 'recover' && policy !== 'throw') {
    throw rangeError(`The "ownerDead" option must be 'recover' or 'throw', received ${JSON.stringify(policy)}`);
  }
  return policy;
}

/** The wait an acquireSync() may make: 0 with `block: false`, else the timeout (-1 = forever). */
export function syncTimeout(options: AcquireSyncOptions | undefined): number {
  const opts = checkObject(options, 'options');
  const timeout = checkTimeout(opts.timeout);
  return checkBoolean(opts.block, 'block', true) ? timeout : 0;
}

/** Anything with acquire/release: Lock, RLock, Semaphore, Condition. */
export interface Acquirable {
  acquire(options?: AcquireOptions): Promise<boolean>;
  release(): void;
}

/**
 * Runs `fn` holding `lock`, releasing it however `fn` ends. An OwnerDeadError (policy 'throw')
 * is thrown with the lock released: `fn` did not run, so nothing repaired the state.
 */
export async function withAcquired<T>(lock: Acquirable, fn: () => T | Promise<T>): Promise<T> {
  checkFunction(fn, 'fn');
  try {
    await lock.acquire();
  } catch (err) {
    if (err instanceof OwnerDeadError) lock.release();
    throw err;
  }
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** What Lock and RLock share: what a dead holder leaves, and how that travels. */
export abstract class RobustLock extends SharedPrimitive {
  /** Set where the lock word is reached through WebAssembly (see word_ops.ts). */
  protected readonly wasm: WordOps | null;
  readonly #policy: OwnerDeadPolicy;
  /** See ownerDied; cleared by whichever release frees the lock. */
  protected died = false;

  protected constructor(placement: Placement, policy: OwnerDeadPolicy) {
    super(placement);
    this.wasm = wasmWordOps(placement.seg);
    this.#policy = policy;
  }

  /** True from an acquire that found the previous holder dead until the lock is released. */
  get ownerDied(): boolean {
    return this.died;
  }

  /** What an acquire that found the previous holder dead does. */
  get ownerDead(): OwnerDeadPolicy {
    return this.#policy;
  }

  /** A wait's result: false on timeout, true once held (see OwnerDeadPolicy when the holder died). */
  protected settle(result: number | null): boolean {
    if (result === null) return false;
    if (result !== OWNER_DEAD) return true;
    this.died = true;
    if (this.#policy === 'throw') throw new OwnerDeadError();
    getLogger().warning('the previous holder of a %s died holding it; it is now held here ' +
      '(ownerDied is set until release())', this.constructor.name);
    return true;
  }

  protected lockHandle(type: string): Handle {
    return this.handle(type, this.#policy === 'throw' ? 'throw' : null);
  }
}

/** The options a Lock or RLock is rebuilt with, from its handle's extra data. */
export function rebuiltOptions(attach: Attach, extra: unknown): LockOptions {
  if (extra !== null && extra !== undefined && extra !== 'throw') {
    throw invalidHandle('the lock\'s owner-death policy is not one of its values');
  }
  return { ...attach, ownerDead: extra === 'throw' ? 'throw' : 'recover' } as LockOptions;
}

/**
 * A process-shared mutex (Python's multiprocessing.Lock). The uncontended path is a single
 * atomic compare-and-swap on the shared lock word, called from JavaScript (see word_ops.ts);
 * native code runs only to sleep or to wake a sleeper. If a holder dies, the next acquirer gets
 * the lock (see OwnerDeadPolicy).
 */
export class Lock extends RobustLock {
  constructor(options?: LockOptions);
  constructor(options?: LockOptions | Attach) {
    super(place(options, { kind: Kind.Lock, prefix: 'lock' }), checkPolicy(options));
  }

  /** Acquires without blocking the event loop; false if `timeout` passed first. */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = checkTimeout(checkObject(options, 'options').timeout);
    if (casWord(this.wasm, this.i32, this.idx, 0, this.me) === 0) return true;
    const p = this.placement;
    return this.settle(await waitAsync(WaitOp.Lock, p.seg.native, p.offset, 0, timeout));
  }

  /** Acquires, blocking this thread; with `block: false` only tries. */
  acquireSync(options?: AcquireSyncOptions): boolean {
    // Kept tiny so that it inlines into the caller's loop; everything else is in acquireSlow().
    if (options === undefined && casWord(this.wasm, this.i32, this.idx, 0, this.me) === 0) return true;
    return this.acquireSlow(options);
  }

  private acquireSlow(options: AcquireSyncOptions | undefined): boolean {
    const timeout = syncTimeout(options);
    if (casWord(this.wasm, this.i32, this.idx, 0, this.me) === 0) return true;
    const p = this.placement;
    return this.settle(waitSync(WaitOp.Lock, p.seg.native, p.offset, 0, timeout));
  }

  /** Releases the lock (any process may release it, as in Python). */
  release(): void {
    if (casWord(this.wasm, this.i32, this.idx, this.me, 0) !== this.me) this.releaseSlow();
    if (this.died) this.died = false;
  }

  /** The lock has sleepers to wake, is held by another process, or is not held at all. */
  private releaseSlow(): void {
    if (!native.lockRelease(this.placement.seg.native, this.placement.offset, false)) {
      throw new ReleaseError('release() called on an unlocked Lock');
    }
  }

  /** Runs `fn` holding the lock and releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return withAcquired(this, fn);
  }

  /** Whether this process holds the lock. */
  isMine(): boolean {
    return (loadWord(this.wasm, this.i32, this.idx) & LOCK_OWNER_MASK) === this.me;
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed('lock', name);
  }

  [kReduce](): Handle {
    return this.lockHandle('Lock');
  }
}

rebuildAs('Lock', Kind.Lock, (attach, extra) => new Lock(rebuiltOptions(attach, extra)));
