/**
 * The loop a pool worker process runs (Python's multiprocessing.pool.worker): run the
 * initializer, say ready, then run the chunks that arrive on its Pipe one at a time, in order,
 * and send their results (or each one's first error) back. Each chunk is claimed in shared
 * memory before it runs (claims.ts), and skipped if the parent took it back for an idle worker:
 * that is what lets the parent know, when a worker dies, which chunks had begun. Results of
 * chunks that were sent together go back together, as long as more work is already there and
 * the first of them is fresh.
 */
import { Empty } from '../errors.js';
import { packError } from '../remote_error.js';
import { loadTarget } from '../process/target.js';
import { PlainList } from '../queue/codec.js';
import { BrokenPipeError, EOFError, type Connection } from '../queue/pipe.js';
import type { SharedArray } from '../shared/array.js';
import { Claims } from './claims.js';
import { DEFINES, FAILED, STAR, type FromWorker, type ToWorker, type WorkMessage, type WorkerSetup } from './messages.js';

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

// Results are held back for at most this many chunks, or this long. What a worker holds back
// when it dies is lost with it: those chunks fail with the death, as do the ones it was running.
const BATCH_CHUNKS = 64;
const BATCH_MS = 0.2;

type Conn = Connection<FromWorker | ToWorker>;

// Runs one chunk; appends `id, us, values` or `id, FAILED, error` to `out`. Returns a promise
// only once a call returned one: a chunk of synchronous calls costs no promise and no
// microtask hop.
function runChunk(id: number, fn: Loaded, calls: unknown[], star: boolean, out: unknown[]): Promise<void> | undefined {
  const started = performance.now();
  // Allocated whole: growing a large array by push() costs three times as much.
  const values = new Array<unknown>(calls.length);
  try {
    for (let i = 0; i < calls.length; i++) {
      const value = star ? fn(...calls[i] as unknown[]) : fn(calls[i]);
      if (isThenable(value)) return finishAsync(id, fn, calls, star, out, started, values, i, value);
      values[i] = value;
    }
  } catch (err) {
    out.push(id, FAILED, packError(err));
    return undefined;
  }
  pushDone(out, id, started, values);
  return undefined;
}

function pushDone(out: unknown[], id: number, started: number, values: unknown[]): void {
  out.push(id, Math.round((performance.now() - started) * 1000), new PlainList(values));
}

// runChunk() from the call at `i`, whose result `pending` is a promise.
async function finishAsync(id: number, fn: Loaded, calls: unknown[], star: boolean, out: unknown[],
  started: number, values: unknown[], i: number, pending: PromiseLike<unknown>): Promise<void> {
  try {
    values[i] = await pending;
    for (i++; i < calls.length; i++) {
      const value = star ? fn(...calls[i] as unknown[]) : fn(calls[i]);
      values[i] = isThenable(value) ? await value : value;
    }
  } catch (err) {
    out.push(id, FAILED, packError(err));
    return;
  }
  pushDone(out, id, started, values);
}

// Sends the results gathered in `out`. A result that cannot travel (a function, a symbol) fails
// its own chunk, not the others sent with it, nor the worker.
function flush(conn: Conn, out: unknown[]): void {
  if (out.length === 0) return;
  try {
    conn.send(new PlainList(out));
  } catch (err) {
    if (err instanceof BrokenPipeError) throw err;
    for (let i = 0; i < out.length; i += 3) {
      try {
        conn.send(new PlainList(out.slice(i, i + 3)));
      } catch (err) {
        conn.send(new PlainList([out[i], FAILED, packError(err)]));
      }
    }
  }
  out.length = 0;
}

/**
 * @internal A pool worker's target: `conn` is its end of the Pipe to the pool, `claims` the
 * words in which it claims its chunks.
 */
export async function poolWorker(conn: Conn, setup: WorkerSetup, claims: SharedArray<number>): Promise<void> {
  try {
    await serve(conn, setup, claims);
  } catch (err) {
    // The pool is gone: there is no one left to report to.
    if (!(err instanceof BrokenPipeError)) throw err;
  }
}

async function serve(conn: Conn, setup: WorkerSetup, claims: SharedArray<number>): Promise<void> {
  if (setup.initializer) {
    try {
      const init = await loadTarget(setup.initializer);
      const done = init(...setup.initargs);
      if (isThenable(done)) await done;
    } catch (err) {
      conn.send({ kind: 'initError', error: packError(err) });
      // Thrown on: the child prints it and exits with code 1, as for any failing target.
      throw err;
    }
  }
  conn.send({ kind: 'ready' });
  // The functions named so far, and those loaded, by the number the pool gave them.
  const locations: { module: string; name: string }[] = [];
  const functions: Loaded[] = [];
  const claimed = new Claims(claims);
  const out: unknown[] = [];
  let batchStart = 0;
  let received = 0;
  let count = 0;
  try {
    while (setup.maxTasks === 0 || count < setup.maxTasks) {
      if (!conn.readyNow()) flush(conn, out);
      let message: ToWorker;
      try {
        message = await nextTask(conn);
      } catch (err) {
        if (err instanceof EOFError) return;
        throw err;
      }
      if (message === null) return;
      const work = message as WorkMessage;
      for (let i = 0; i < work.length;) {
        const id = work[i] as number;
        const index = work[i + 1] as number;
        const flags = work[i + 2] as number;
        if ((flags & DEFINES) !== 0) {
          locations[index] = { module: work[i + 3] as string, name: work[i + 4] as string };
          i += 5;
        } else {
          i += 3;
        }
        const calls = work[i++] as unknown[];
        if (!claimed.begin(received++)) continue;
        count++;
        if (out.length === 0) batchStart = performance.now();
        let fn = functions[index];
        if (!fn) {
          try {
            const where = locations[index];
            if (!where) throw new Error(`pool function ${index} was never defined`);
            fn = await loadTarget(where);
            functions[index] = fn;
          } catch (err) {
            out.push(id, FAILED, packError(err));
            continue;
          }
        }
        const running = runChunk(id, fn, calls, (flags & STAR) !== 0, out);
        if (running) await running;
        if (out.length >= 3 * BATCH_CHUNKS || performance.now() - batchStart >= BATCH_MS) flush(conn, out);
      }
    }
  } finally {
    // What ran is reported before the worker leaves (retiring, told to finish, or failing).
    flush(conn, out);
  }
}
