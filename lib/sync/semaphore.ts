import { Kind, native, WaitOp } from '../binding.js';
import { ReleaseError } from '../errors.js';
import { kReduce, type Handle } from '../travel.js';
import { checkInteger, checkObject, checkTimeout } from '../validate.js';
import { syncTimeout, withAcquired, type AcquireOptions, type AcquireSyncOptions,
  type NamedOptions } from './lock.js';
import { isAttach, place, rebuildAs, SharedPrimitive, unlinkNamed,
  type Attach } from './primitive.js';
import { waitAsync, waitSync } from './waits.js';

const SEM_VALUE_MAX = 0x7fffffff;

/** A process-shared counting semaphore (Python's multiprocessing.Semaphore). */
export class Semaphore extends SharedPrimitive {
  readonly #bounded: boolean;

  constructor(value?: number, options?: NamedOptions);
  constructor(value: number | Attach = 1, options?: NamedOptions) {
    const bounded = new.target === BoundedSemaphore;
    const kind = bounded ? Kind.BoundedSemaphore : Kind.Semaphore;
    if (isAttach(value)) {
      super(place(value, { kind, prefix: '' }));
    } else {
      const v = checkInteger(value, 'value', 0, SEM_VALUE_MAX);
      super(place(options, {
        kind, prefix: bounded ? 'bsem' : 'sem', a: v, b: bounded ? v : SEM_VALUE_MAX,
      }));
    }
    this.#bounded = bounded;
  }

  /** Takes one unit without blocking the event loop; false if `timeout` passed first. */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = checkTimeout(checkObject(options, 'options').timeout);
    if (this.tryFast()) return true;
    const p = this.placement;
    return (await waitAsync(this.#op(), p.seg.native, p.offset, 0, timeout)) !== null;
  }

  /** Takes one unit, blocking this thread; with `block: false` only tries. */
  acquireSync(options?: AcquireSyncOptions): boolean {
    if (options === undefined && this.tryFast()) return true;
    return this.acquireSlow(options);
  }

  // Options are checked before a unit is taken: bad ones must not leave it taken.
  private acquireSlow(options: AcquireSyncOptions | undefined): boolean {
    const timeout = syncTimeout(options);
    if (this.tryFast()) return true;
    const p = this.placement;
    return waitSync(this.#op(), p.seg.native, p.offset, 0, timeout) !== null;
  }

  private tryFast(): boolean {
    const v = Atomics.load(this.i32, this.idx);
    return v > 0 && Atomics.compareExchange(this.i32, this.idx, v, v - 1) === v;
  }

  #op(): number {
    return this.#bounded ? WaitOp.BoundedSemaphore : WaitOp.Semaphore;
  }

  /** Gives one unit back, waking a waiter if any. */
  release(): void {
    if (!native.semaphoreRelease(this.placement.seg.native, this.placement.offset, this.#bounded)) {
      throw this.#bounded
        ? new ReleaseError('BoundedSemaphore released too many times')
        : new ReleaseError('Semaphore value would exceed 2147483647', 'ERR_SEMAPHORE_OVERFLOW');
    }
  }

  /** Runs `fn` holding one unit and gives it back however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return withAcquired(this, fn);
  }

  /** The current value (Python's get_value()). */
  getValue(): number {
    return Atomics.load(this.i32, this.idx);
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed(this === BoundedSemaphore ? 'bsem' : 'sem', name);
  }

  [kReduce](): Handle {
    return this.handle(this.#bounded ? 'BoundedSemaphore' : 'Semaphore');
  }
}

/** A semaphore whose release() throws if it would exceed its initial value. */
export class BoundedSemaphore extends Semaphore {}

rebuildAs('Semaphore', Kind.Semaphore, (attach) => new Semaphore(attach as unknown as number));
rebuildAs('BoundedSemaphore', Kind.BoundedSemaphore,
  (attach) => new BoundedSemaphore(attach as unknown as number));
