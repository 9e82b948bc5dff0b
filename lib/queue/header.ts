/**
 * The words (Int32) of a ring's header: who writes each one, and under which lock. Each side's
 * words share a cache line of their own, apart from the other side's: a producer and a consumer
 * then only pass each other their positions. Atomics are builtin calls of ~10 ns in V8 (see
 * word_ops.ts), so the hot paths use one only where the order of accesses matters: to publish a
 * position, to read the other side's position before its records, and to look for sleepers
 * after publishing (the other half of RingWaits.addSleeper()).
 * Positions (TAIL, HEAD) are in [0, 2 * capacity): the lap bit tells a full ring from an empty one.
 */

// Writers' words, changed under the writers' lock:
/** Position where the next record goes. */
export const TAIL = 0;
/** Messages reserved so far (wrapping), those not yet written included. */
export const PUT = 1;
/** Thread writing a stream, 0 if none. */
export const STREAM_W = 2;
/** Readers waiting for a record (counted by readers, read by every writer). */
export const SLEEP_DATA = 3;
/** Pairs (thread, messages it reserved and has not written yet): see reservations.ts. */
export const RESERVERS = 4;
export const RESERVER_SLOTS = 6;

// Readers' words, changed under the readers' lock:
/** Position of the next record to read. */
export const HEAD = 16;
/** Messages taken so far (wrapping). */
export const GOT = 17;
/** Journal: HEAD + 1 about to be published with NEXT_GOT, 0 if none (see journal.ts). */
export const NEXT_HEAD = 18;
export const NEXT_GOT = 19;
/** Thread reading the current stream, 0 if none. */
export const STREAM_R = 20;
/** Bytes of the current stream still to come out of the ring. */
export const STREAM_LEFT = 21;
/** 1 while the rest of an abandoned stream is being dropped. */
export const DISCARD = 22;
/** Writers waiting for bytes or for a stream to end. */
export const SLEEP_ROOM = 23;
/** Writers waiting for a slot of a full bounded queue. */
export const SLEEP_SLOT = 24;

// Others:
/** 0: unbounded. */
export const MAXSIZE = 32;
/** Pipe: 1 once more processes held the writing end than can be tracked. */
export const UNTRACKED = 33;
/** JoinableQueue: messages put and not yet marked done. */
export const UNFINISHED = 34;
/** JoinableQueue.join() callers. */
export const SLEEP_DONE = 35;
/** Pipe: the same as UNTRACKED for the reading end. */
export const UNTRACKED_R = 36;
/**
 * The highWaterMark given at creation, for every process's outbox of this ring: bytes + 1, 0 if
 * none was given (the default applies), -1 for no limit. Written once, before the ring travels.
 */
export const HIGH_WATER = 37;
/** Pipe: ids of the processes holding the writing end (0 = free slot); see holders.ts. */
export const WRITERS = 48;
/** Pipe: the same for the reading end. */
export const READERS = 64;
export const HOLDER_SLOTS = 16;

export const HEADER_WORDS = READERS + HOLDER_SLOTS;
