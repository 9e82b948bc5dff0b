import { Kind, native, WaitOp } from '../binding.js';
import { BrokenBarrierError } from '../errors.js';
import { kReduce, type Handle } from '../travel.js';
import { checkFunction, checkInteger, checkObject, checkTimeout } from '../validate.js';
import { isAttach, place, rebuildAs, SharedPrimitive, unlinkNamed,
  type Attach } from './primitive.js';
import { waitAsync, waitSync } from './waits.js';

/** Options of the Barrier constructor. */
export interface BarrierOptions {
  /** Run by the last process to arrive, before the others are released; functions do not
   * travel, so only processes that passed an action run one. */
  action?: () => unknown;
  /** Default timeout of wait() in milliseconds. */
  timeout?: number;
  /** Open or create the system-wide barrier of this name. */
  name?: string;
}

const enum Arrive { Wait = 0, LastPending = 1, Released = 2, Broken = 3, Draining = 4 }
const BROKEN_WHILE_WAITING = 1;

/** A process-shared barrier for `parties` processes (Python's multiprocessing.Barrier). */
export class Barrier extends SharedPrimitive {
  readonly #action: (() => unknown) | undefined;
  readonly #timeout: number;

  constructor(parties: number, options?: BarrierOptions);
  constructor(parties: number | Attach, options?: BarrierOptions) {
    const opts = checkObject(options, 'options');
    const action = opts.action === undefined ? undefined
      : checkFunction<() => unknown>(opts.action, 'action');
    const timeout = checkTimeout(opts.timeout);
    if (isAttach(parties)) {
      super(place(parties, { kind: Kind.Barrier, prefix: '' }));
    } else {
      const n = checkInteger(parties, 'parties', 1, 0x7fffffff);
      super(place(opts.name === undefined ? undefined : { name: opts.name },
        { kind: Kind.Barrier, prefix: 'barrier', a: n }));
    }
    this.#action = action;
    this.#timeout = timeout;
  }

  /**
   * Waits until `parties` processes have called wait(); resolves with this caller's arrival
   * index (0 .. parties - 1). A timeout breaks the barrier for everyone.
   */
  async wait(timeout?: number): Promise<number> {
    const ms = timeout === undefined ? this.#timeout : checkTimeout(timeout);
    const p = this.placement;
    for (;;) {
      const [r, index, gen] = native.barrierArrive(p.seg.native, p.offset, this.#action !== undefined);
      switch (r) {
        case Arrive.Released: return index;
        case Arrive.Broken: throw new BrokenBarrierError();
        case Arrive.LastPending:
          await this.#runAction(gen);
          return index;
        case Arrive.Draining:
          await waitAsync(WaitOp.Barrier, p.seg.native, p.offset, gen, ms);
          continue;
        default: {
          const result = await waitAsync(WaitOp.Barrier, p.seg.native, p.offset, gen, ms);
          return this.#passed(result, index);
        }
      }
    }
  }

  /** wait(), blocking this thread; the action, if any, must be synchronous. */
  waitSync(timeout?: number): number {
    const ms = timeout === undefined ? this.#timeout : checkTimeout(timeout);
    const p = this.placement;
    for (;;) {
      const [r, index, gen] = native.barrierArrive(p.seg.native, p.offset, this.#action !== undefined);
      switch (r) {
        case Arrive.Released: return index;
        case Arrive.Broken: throw new BrokenBarrierError();
        case Arrive.LastPending:
          this.#runAction(gen);
          return index;
        case Arrive.Draining:
          waitSync(WaitOp.Barrier, p.seg.native, p.offset, gen, ms);
          continue;
        default:
          return this.#passed(waitSync(WaitOp.Barrier, p.seg.native, p.offset, gen, ms), index);
      }
    }
  }

  #passed(result: number | null, index: number): number {
    if (result === null) {
      this.abort();
      throw new BrokenBarrierError('the barrier timed out and is now broken');
    }
    if (result === BROKEN_WHILE_WAITING) throw new BrokenBarrierError();
    return index;
  }

  // Runs the action, then releases generation `gen`; an action that throws (or rejects) breaks
  // the barrier instead. Returns a promise only when the action did.
  #runAction(gen: number): Promise<void> | void {
    const release = () => native.barrierRelease(this.placement.seg.native, this.placement.offset, gen);
    const fail = (err: unknown): never => {
      this.abort();
      throw err;
    };
    let result: unknown;
    try {
      result = this.#action!();
    } catch (err) {
      fail(err);
    }
    if (result instanceof Promise) return result.then(release, fail);
    release();
  }

  /** Returns the barrier to its empty state; current waiters get BrokenBarrierError. */
  reset(): void {
    native.barrierReset(this.placement.seg.native, this.placement.offset);
  }

  /** Breaks the barrier: current and future waiters get BrokenBarrierError until reset(). */
  abort(): void {
    native.barrierAbort(this.placement.seg.native, this.placement.offset);
  }

  /** Processes needed to pass. */
  get parties(): number {
    return this.#state()[0];
  }

  /** Processes waiting now. */
  get nWaiting(): number {
    return this.#state()[1];
  }

  get broken(): boolean {
    return this.#state()[2];
  }

  #state(): [number, number, boolean] {
    return native.barrierState(this.placement.seg.native, this.placement.offset);
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed('barrier', name);
  }

  [kReduce](): Handle {
    return this.handle('Barrier', this.#timeout);
  }
}

rebuildAs('Barrier', Kind.Barrier, (attach, timeout) => new Barrier(attach as unknown as number,
  { timeout: (timeout as number) < 0 ? undefined : timeout as number }));
