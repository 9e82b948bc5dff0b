/**
 * How both ends of a manager's pipe read: take what is there, then watch the pipe for a few
 * microseconds before waiting on the event loop, since the other side answers (or calls again)
 * within that time when it is busy, as the Pool's parent watches its workers.
 */
import type { Connection } from '../queue/pipe.js';
import { NOTHING } from '../queue/ring.js';

/** How long a reader watches the pipe, blocking its thread, before it waits on the event loop. */
export const SPIN_US = 50;

/** Reads `conn` while `more()`, giving each message `take()` returns to `onMessage`; throws what reading throws. */
export async function readPipe<T>(conn: Connection<T>, take: () => T | typeof NOTHING, onMessage: (message: T) => void,
  more: () => boolean, pollMs: number): Promise<void> {
  while (more()) {
    const message = take();
    if (message !== NOTHING) {
      onMessage(message);
      continue;
    }
    if (conn.spinUntilReadable(SPIN_US)) continue;
    await conn.poll(pollMs);
  }
}
