/** The shared objects a ring is made of: made (or opened by name) and unlinked together. */
import { RawArray, unlinkArray, type SharedArray } from '../shared/array.js';
import { Lock } from '../sync/lock.js';
import { Semaphore } from '../sync/semaphore.js';
import { HEADER_WORDS } from './header.js';

/** The shared objects a ring is made of; they travel as one handle. */
export interface RingParts {
  /** The writers' lock. */
  lock: Lock;
  /** The readers' lock. */
  rlock: Lock;
  header: SharedArray<number>;
  bytes: SharedArray<number>;
  /**
   * Wake tokens: for readers, for writers waiting for bytes, for writers waiting for a slot, for
   * join() callers. Sleepers that wait for different things must not share tokens: one that
   * was woken for nothing and sleeps again could take the token of one that would go on.
   */
  data: Semaphore;
  room: Semaphore;
  slot: Semaphore;
  done: Semaphore;
}

const SEMAPHORES = ['data', 'room', 'slot', 'done'] as const;

/** Makes the parts of a new ring of `capacity` bytes (or opens those of the named one). */
export function createParts(capacity: number, name?: string): RingParts {
  const named = (suffix: string) => (name === undefined ? undefined : { name: `${name}.${suffix}` });
  // A lock whose holder died is repaired by the ring (ring_waits.ts) before anyone relies on it.
  const repaired = (suffix: string) => new Lock({ ...named(suffix), ownerDead: 'throw' });
  return {
    lock: repaired('lock'),
    rlock: repaired('rlock'),
    header: RawArray('i', HEADER_WORDS, named('header')),
    bytes: RawArray('B', capacity, named('bytes')),
    data: new Semaphore(0, named('data')),
    room: new Semaphore(0, named('room')),
    slot: new Semaphore(0, named('slot')),
    done: new Semaphore(0, named('done')),
  };
}

/** Removes the names of a named ring's parts. */
export function unlinkParts(name: string): void {
  const steps = [
    () => Lock.unlink(`${name}.lock`),
    () => Lock.unlink(`${name}.rlock`),
    () => unlinkArray(`${name}.header`),
    () => unlinkArray(`${name}.bytes`),
    ...SEMAPHORES.map((side) => () => Semaphore.unlink(`${name}.${side}`)),
  ];
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      step();
    } catch (err) {
      errors.push(err);
    }
  }
  // Like unlink(2): an error only if there was nothing to remove.
  if (errors.length === steps.length) throw errors[0];
}
