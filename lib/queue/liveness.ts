/**
 * Who holds a ring's words, and whether they still live: the one place lib/queue asks. The
 * stream and reservation words name a thread, a Pipe's holder slots name a process; a word whose
 * holder died is taken back by whoever finds it so.
 */
import { native } from '../binding.js';
import { THREAD } from '../sync/primitive.js';

/** The id this thread writes into the ring words it takes (a stream, a reservation pair). */
export const THREAD_ID: number = THREAD;

/** The id under which this process registers as holding an end of a Pipe. */
export const PROCESS_ID: number = process.pid;

/** Whether the holder written as `id` (a THREAD_ID or PROCESS_ID of some process) is alive. */
export function holderAlive(id: number): boolean {
  return native.processAlive(id);
}
