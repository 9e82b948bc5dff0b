/** Serving a client through a shared-memory Pipe (pipe_reader.ts), until its end of file. */
import { getLogger } from '../process/logger.js';
import { EOFError, type Connection } from '../queue/pipe.js';
import { readPipe } from './pipe_reader.js';

/** Where replies go: a socket or a pipe. */
export interface Sink {
  readonly closed: boolean;
  send(message: unknown[]): void;
}

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
      await readPipe(conn, () => conn.take(), (message) => {
        if (!Array.isArray(message)) throw new TypeError('a message that is not an array');
        handle(sink, message);
      }, () => true, POLL_MS);
    } catch (err) {
      if (!(err instanceof EOFError) && !conn.closed) getLogger().debug(`manager: closing a pipe: ${String(err)}`);
    } finally {
      if (!conn.closed) conn.close();
      ended();
    }
  })();
}
