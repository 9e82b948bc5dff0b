/**
 * The loop a pool worker process runs (Python's multiprocessing.pool.worker): run the
 * initializer, say ready, then run the chunks that arrive on its Pipe one at a time, in order,
 * and send each chunk's results (or its first error) back. Running chunks strictly in order is
 * what lets the parent know, when a worker dies, which chunk it was running and which it had
 * not touched yet.
 */
import { Empty } from '../errors.js';
import { packError } from '../remote_error.js';
import { loadTarget } from '../process/target.js';
import { PlainList } from '../queue/codec.js';
import { EOFError, type Connection } from '../queue/pipe.js';
import { callsStart, DEFINES, STAR, type FromWorker, type TaskMessage, type ToWorker, type WorkerSetup } from './messages.js';

type Loaded = (...args: unknown[]) => unknown;

// Between chunks a worker first waits this long blocking its thread (a futex wake-up, a few
// microseconds) and only then without blocking (an event-loop wake-up, tens of microseconds).
// Only its own event loop is held meanwhile, and only briefly: the next chunk of a busy pool
// arrives well within it, and an idle worker falls back to the non-blocking wait.
const BLOCKING_WAIT_MS = 2;

async function nextTask(conn: Connection<FromWorker | ToWorker>): Promise<ToWorker> {
  try {
    return conn.recvSync({ timeout: BLOCKING_WAIT_MS }) as ToWorker;
  } catch (err) {
    if (!(err instanceof Empty)) throw err;
  }
  return await conn.recv() as ToWorker;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
    && typeof (value as { then?: unknown }).then === 'function';
}

async function runChunk(task: TaskMessage, fn: Loaded): Promise<FromWorker> {
  const id = task[0] as number;
  const star = ((task[2] as number) & STAR) !== 0;
  const started = performance.now();
  try {
    const first = callsStart(task[2] as number);
    // Allocated whole: growing a large array by push() costs three times as much.
    const values = new Array<unknown>(task.length - first);
    for (let i = first; i < task.length; i++) {
      const value = star ? fn(...task[i] as unknown[]) : fn(task[i]);
      // Awaiting only real promises keeps a chunk of synchronous calls free of microtask hops.
      values[i - first] = isThenable(value) ? await value : value;
    }
    return new PlainList([id, Math.round((performance.now() - started) * 1000)], values);
  } catch (err) {
    return { kind: 'failed', id, error: packError(err) };
  }
}

function reply(conn: Connection<FromWorker | ToWorker>, message: FromWorker): void {
  try {
    conn.send(message);
  } catch (err) {
    // A result that cannot travel (a function, a symbol) fails its chunk instead of the worker.
    if (!(message instanceof PlainList)) throw err;
    conn.send({ kind: 'failed', id: message.head[0] as number, error: packError(err) });
  }
}

/** @internal A pool worker's target: `conn` is its end of the Pipe to the pool. */
export async function poolWorker(conn: Connection<FromWorker | ToWorker>, setup: WorkerSetup): Promise<void> {
  if (setup.initializer) {
    try {
      const init = await loadTarget(setup.initializer);
      const started = init(...setup.initargs);
      if (isThenable(started)) await started;
    } catch (err) {
      conn.send({ kind: 'initError', error: packError(err) });
      // Thrown on: the child prints it and exits with code 1, as for any failing target.
      throw err;
    }
  }
  conn.send({ kind: 'ready' });
  // The functions met so far, by the number the pool gave them.
  const functions: Loaded[] = [];
  for (let done = 0; setup.maxTasks === 0 || done < setup.maxTasks; done++) {
    let task: ToWorker;
    try {
      task = await nextTask(conn);
    } catch (err) {
      if (err instanceof EOFError) return;
      throw err;
    }
    if (task === null) return;
    const chunk = task as TaskMessage;
    const index = chunk[1] as number;
    let fn = functions[index];
    if (!fn) {
      try {
        if (((chunk[2] as number) & DEFINES) === 0) throw new Error(`pool function ${index} was never defined`);
        fn = await loadTarget({ module: chunk[3] as string, name: chunk[4] as string });
        functions[index] = fn;
      } catch (err) {
        reply(conn, { kind: 'failed', id: chunk[0] as number, error: packError(err) });
        continue;
      }
    }
    reply(conn, await runChunk(chunk, fn));
  }
}
