/**
 * The readers' journal: a reader's HEAD (bytes freed) and GOT (messages taken) move together,
 * or a reader killed between the two stores would leave qsize() and a bounded queue's free slots
 * wrong for good. The move is written down first; the readers' lock's next holder, told that
 * the last one died, completes it.
 */
import { GOT, HEAD, NEXT_GOT, NEXT_HEAD } from './header.js';

/** Moves HEAD to `next` and GOT on by `messages` (readers' lock held). */
export function moveHead(h: Int32Array, next: number, messages: number): void {
  if (messages > 0) {
    const got = (h[GOT]! + messages) | 0;
    h[NEXT_GOT] = got;
    h[NEXT_HEAD] = next + 1;
    Atomics.store(h, HEAD, next);
    h[GOT] = got;
    h[NEXT_HEAD] = 0;
  } else {
    Atomics.store(h, HEAD, next);
  }
}

/** A reader died holding the readers' lock: completes its last move, if it had begun it. */
export function completeMove(h: Int32Array): void {
  const next = Atomics.load(h, NEXT_HEAD);
  if (next === 0) return;
  Atomics.store(h, HEAD, next - 1);
  Atomics.store(h, GOT, h[NEXT_GOT]!);
  Atomics.store(h, NEXT_HEAD, 0);
}
