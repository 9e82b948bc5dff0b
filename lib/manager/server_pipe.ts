/**
 * Serving a client through a shared-memory Pipe: read what is there, answer it, and watch the
 * pipe for a few microseconds before waiting on the event loop, since a client calling in a
 * loop sends its next call within that time (as the Pool's parent watches its workers).
 */
import { getLogger } from '../process/logger.js';
import { EOFError, type Connection } from '../queue/pipe.js';
import { NOTHING } from '../queue/ring.js';

/** Where replies go: a socket or a pipe. */
export interface Sink {
  readonly closed: boolean;
  send(message: unknown[]): void;
}

const SPIN_US = 50;
// How often a reader waiting on the pipe looks at whether its client died.
const POLL_MS = 1000;

/** Serves messages from `conn` until its end of file, then calls `ended`. */
export function servePipe(conn: Connection<unknown[]>, handle: (sink: Sink, message: unknown[]) => void,
  ended: () => void): void {
  const sink: Sink = {
    get closed() { return conn.closed; },
    send(message) { conn.sendNoWait(message); },
  };
  void (async () => {
    try {
      for (;;) {
        const message = conn.take();
        if (message !== NOTHING) {
          if (!Array.isArray(message)) throw new TypeError('a message that is not an array');
          handle(sink, message);
          continue;
        }
        if (conn.spinUntilReadable(SPIN_US)) continue;
        await conn.poll(POLL_MS);
      }
    } catch (err) {
      if (!(err instanceof EOFError) && !conn.closed) getLogger().debug(`manager: closing a pipe: ${String(err)}`);
    } finally {
      if (!conn.closed) conn.close();
      ended();
    }
  })();
}
