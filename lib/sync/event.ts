import { Kind, native, WaitOp } from '../binding.js';
import { kReduce, type Handle } from '../travel.js';
import { checkTimeout } from '../validate.js';
import type { NamedOptions } from './lock.js';
import { place, rebuildAs, SharedPrimitive, unlinkNamed, type Attach } from './primitive.js';
import { waitAsync, waitSync } from './waits.js';

/** A process-shared flag that processes can wait for (Python's multiprocessing.Event). */
export class Event extends SharedPrimitive {
  constructor(options?: NamedOptions);
  constructor(options?: NamedOptions | Attach) {
    super(place(options, { kind: Kind.Event, prefix: 'event' }));
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    native.eventSet(this.placement.seg.native, this.placement.offset);
  }

  clear(): void {
    native.eventClear(this.placement.seg.native, this.placement.offset);
  }

  isSet(): boolean {
    // Bit 0 is the flag; the bits above count set() calls (native/core/layout.h).
    return (Atomics.load(this.i32, this.idx) & 1) !== 0;
  }

  /**
   * Resolves true once the flag is set (or was set meanwhile, even if cleared again at once),
   * false if `timeout` ms passed first.
   */
  async wait(timeout?: number): Promise<boolean> {
    const ms = checkTimeout(timeout);
    if (this.isSet()) return true;
    const p = this.placement;
    return (await waitAsync(WaitOp.Event, p.seg.native, p.offset, 0, ms)) !== null;
  }

  /** Blocks this thread until the flag is set; false if `timeout` ms passed first. */
  waitSync(timeout?: number): boolean {
    const ms = checkTimeout(timeout);
    if (this.isSet()) return true;
    const p = this.placement;
    return waitSync(WaitOp.Event, p.seg.native, p.offset, 0, ms) !== null;
  }

  /** Removes the system-wide name; objects already open keep working. */
  static unlink(name: string): void {
    unlinkNamed('event', name);
  }

  [kReduce](): Handle {
    return this.handle('Event');
  }
}

rebuildAs('Event', Kind.Event, (attach) => new Event(attach as NamedOptions));
