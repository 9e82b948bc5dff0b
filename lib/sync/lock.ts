import { Kind, LOCK_PID_MASK, native, WaitOp } from '../binding.js';
import { OwnerDeadError, ReleaseError } from '../errors.js';
import { kReduce, type Handle } from '../travel.js';
import { checkBoolean, checkFunction, checkObject, checkTimeout } from '../validate.js';
import { waitAsync, waitSync } from './waits.js';
import { PID, place, rebuildAs, SharedPrimitive, unlinkNamed, type Attach } from './primitive.js';
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

const OWNER_DEAD = 2;

/** A Lock/RLock wait's result: false on timeout, OwnerDeadError (lock held) if the holder died. */
export function settle(result: number | null): boolean {
  if (result === null) return false;
  if (result === OWNER_DEAD) throw new OwnerDeadError();
  return true;
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

/** Runs `fn` holding `lock`, releasing it however `fn` ends (also when the owner died). */
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

/**
 * A process-shared mutex (Python's multiprocessing.Lock). The uncontended path is a single
 * atomic compare-and-swap on the shared lock word, called from JavaScript (see word_ops.ts);
 * native code runs only to sleep or to wake a sleeper. If a holder dies, the next acquirer gets
 * the lock and an OwnerDeadError.
 */
export class Lock extends SharedPrimitive {
  /** Set where the lock word is reached through WebAssembly (see word_ops.ts). */
  private readonly wasm: WordOps | null;

  constructor(options?: NamedOptions);
  constructor(options?: NamedOptions | Attach) {
    super(place(options, { kind: Kind.Lock, prefix: 'lock' }));
    this.wasm = wasmWordOps(this.placement.seg);
  }

  /** Acquires without blocking the event loop; false if `timeout` passed first. */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = checkTimeout(checkObject(options, 'options').timeout);
    if (casWord(this.wasm, this.i32, this.idx, 0, PID) === 0) return true;
    const p = this.placement;
    return settle(await waitAsync(WaitOp.Lock, p.seg.native, p.offset, 0, timeout));
  }

  /** Acquires, blocking this thread; with `block: false` only tries. */
  acquireSync(options?: AcquireSyncOptions): boolean {
    // Kept tiny so that it inlines into the caller's loop; everything else is in acquireSlow().
    if (options === undefined && casWord(this.wasm, this.i32, this.idx, 0, PID) === 0) return true;
    return this.acquireSlow(options);
  }

  private acquireSlow(options: AcquireSyncOptions | undefined): boolean {
    const timeout = syncTimeout(options);
    if (casWord(this.wasm, this.i32, this.idx, 0, PID) === 0) return true;
    const p = this.placement;
    return settle(waitSync(WaitOp.Lock, p.seg.native, p.offset, 0, timeout));
  }

  /** Releases the lock (any process may release it, as in Python). */
  release(): void {
    if (casWord(this.wasm, this.i32, this.idx, PID, 0) !== PID) this.releaseSlow();
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
    return (loadWord(this.wasm, this.i32, this.idx) & LOCK_PID_MASK) === PID;
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed('lock', name);
  }

  [kReduce](): Handle {
    return this.handle('Lock');
  }
}

rebuildAs('Lock', Kind.Lock, (attach) => new Lock(attach as NamedOptions));
