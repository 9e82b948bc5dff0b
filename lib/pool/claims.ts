/**
 * Who a chunk sent ahead to a pool worker belongs to, decided in shared memory: the worker
 * claims each chunk as it begins it, and the parent may take back one the worker has not begun
 * (to give it to an idle worker). One compare-and-swap settles each race, so a chunk runs at
 * most once, and after a worker dies the parent knows exactly which of its chunks had begun.
 *
 * Chunks are numbered per worker in the order they were sent (`seq`); word seq % SLOTS holds
 * the number and the state, so a word reused for a later chunk never matches an earlier one.
 */
import { RawArray, type SharedArray } from '../shared/array.js';

/** Chunks sent to one worker that may be unanswered at once (the parent keeps below it). */
export const CLAIM_SLOTS = 256;
const OFFERED = 0;
const BEGUN = 1;
const TAKEN = 2;

const tag = (seq: number) => (seq & 0x1fffffff) << 2;

export class Claims {
  readonly words: Int32Array;

  constructor(readonly shared: SharedArray<number>) {
    this.words = shared as Int32Array;
  }

  /** Shared words for a new worker. */
  static create(): Claims {
    return new Claims(RawArray('i', CLAIM_SLOTS));
  }

  /** Parent: chunk `seq` is being sent. */
  offer(seq: number): void {
    Atomics.store(this.words, seq % CLAIM_SLOTS, tag(seq) | OFFERED);
  }

  /** Worker: claims chunk `seq` before running it; false if the parent took it back. */
  begin(seq: number): boolean {
    const offered = tag(seq) | OFFERED;
    return Atomics.compareExchange(this.words, seq % CLAIM_SLOTS, offered, tag(seq) | BEGUN) === offered;
  }

  /** Parent: takes chunk `seq` back; false if the worker has begun it. */
  takeBack(seq: number): boolean {
    const offered = tag(seq) | OFFERED;
    return Atomics.compareExchange(this.words, seq % CLAIM_SLOTS, offered, tag(seq) | TAKEN) === offered;
  }

  /** Parent: whether the worker began chunk `seq`. */
  begun(seq: number): boolean {
    return Atomics.load(this.words, seq % CLAIM_SLOTS) === (tag(seq) | BEGUN);
  }
}
