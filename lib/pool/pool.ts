/**
 * mp.Pool: Python's multiprocessing.Pool over real worker processes. Each worker is an
 * mp.Process running poolWorker() (worker.ts) with its own duplex Pipe. The parent keeps the
 * work in one list and sends each worker chunks ahead of what it runs (as many as it runs in
 * about half a millisecond, so that it never waits for the parent); a worker that runs out of
 * work takes over chunks another has not begun yet (claims.ts), so no chunk waits behind a
 * slow one while a worker idles. When a worker dies, the results it sent are read first, then
 * the chunks it had begun fail with a ProcessError naming the worker and how it ended, those it
 * had not begun go back to the front of the list, and a new worker takes its place.
 */
import { constants } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../binding.js';
import { MultiprocError, ProcessError } from '../errors.js';
import { getAffinity, cpuCount } from '../process_control.js';
import { getLogger } from '../process/logger.js';
import { Process } from '../process/process.js';
import { locateTarget, refuseWhileImporting, type TargetLocation, type TargetRef } from '../process/target.js';
import { unpackError, type PackedError } from '../remote_error.js';
import { PlainList } from '../queue/codec.js';
import { Fifo } from '../queue/fifo.js';
import { BrokenPipeError, EOFError, Pipe, type Connection } from '../queue/pipe.js';
import { NOTHING } from '../queue/ring.js';
import { serialize } from '../travel.js';
import { checkInteger, checkObject, describe, typeError } from '../validate.js';
import { AsyncResult, type AsyncResultCallbacks } from './async_result.js';
import { CLAIM_SLOTS, Claims } from './claims.js';
import { LatencyHistogram, type LatencySummary } from './latency.js';
import { DEFINES, FAILED, STAR, type FromWorker, type ToWorker, type WorkerSetup } from './messages.js';
import { ResultStream } from './result_stream.js';

/** Options of `new mp.Pool()`. */
export interface PoolOptions {
  /** Number of worker processes (default: mp.cpuCount()). */
  processes?: number;
  /** Run once in each worker before its first task, with `initargs`. */
  initializer?: ((...args: never[]) => unknown) | TargetRef;
  /** Arguments of `initializer` (shared objects allowed). */
  initargs?: readonly unknown[];
  /** Chunks a worker runs before it is replaced by a fresh one (default: no limit). */
  maxTasksPerChild?: number;
  /** 'spread': worker i runs on the i-th allowed CPU (mod their number); or CPUs for every worker. */
  affinity?: 'spread' | readonly number[];
  /** Nice value (-20..19) of every worker. */
  priority?: number;
}

/** What a pool task may call: an exported function, or `{ module, name }`. */
export type PoolTarget<A extends readonly unknown[], R> = ((...args: A) => R) | TargetRef;

/** What pool.stats() reports; task counts count calls (a map of n items is n tasks). */
export interface PoolStats {
  /** Worker processes running now. */
  workers: number;
  /** Tasks submitted and not yet sent to a worker. */
  queued: number;
  /** Tasks sent to a worker and not yet answered. */
  running: number;
  /** Tasks that returned a value. */
  completed: number;
  /**
   * Tasks that failed: threw, their worker died, or the pool was terminated or broken. When one
   * task of a map (or starmap, mapAsync, starmapAsync) fails, the map's other unfinished tasks
   * count as failed as it rejects: those no worker has begun are cancelled and never run; those
   * a worker is running finish there, and their outcome is discarded.
   */
  failed: number;
  /** Workers that died before they were asked to (each was replaced unless the pool was stopping). */
  workerDeaths: number;
  /** Time from submission to result of finished tasks, in milliseconds. */
  latency: LatencySummary;
}

// A chunk of calls waiting for, or held by, a worker.
interface Chunk {
  id: number;
  /** The function's number in this pool (see TaskMessage). */
  fn: number;
  star: boolean;
  calls: unknown[];
  submitted: number;
  /** Its number among the chunks sent to the worker holding it. */
  seq: number;
  /** Its number among the chunks of its submission, and what settles that chunk. */
  index: number;
  settle(index: number, error: Error | null, values?: unknown[], bytes?: number): void;
  /** The map call it is part of (none for apply), whose other chunks are cancelled if one fails. */
  call: MapCall | undefined;
  /** Its map failed while a worker ran it: counted as failed already, its answer is ignored. */
  abandoned: boolean;
}

// The chunks of one map call.
interface MapCall {
  failed: boolean;
}

// The parent's side of one worker.
interface Slot {
  proc: Process & { readonly pid: number };
  conn: Connection<ToWorker | FromWorker>;
  /** Chunks sent and neither answered nor taken back, oldest first. */
  held: Chunk[];
  /** Chunks sent (taken back ones included): the next one's seq. */
  sent: number;
  takenBack: number;
  /** Which of its chunks it began, and which the parent took back. */
  claims: Claims;
  /** The functions this worker was sent already, by number. */
  defined: boolean[];
  ready: boolean;
  dead: boolean;
  /** Its pipe is broken: it is dying, and is sent nothing more. */
  unreachable: boolean;
  /** Chunks were taken back from it for an idle worker: it is sent no more until it answers one. */
  behind: boolean;
  /** More than its pipe's highWaterMark waits for room: it is sent no more until that is written. */
  congested: boolean;
  reading: boolean;
  stopping: boolean;
  gone: Promise<void>;
  markGone: () => void;
}

// How much work a worker is sent ahead, in microseconds of running time (measured by the
// workers): enough that it does not wait for the parent between chunks, little enough that a
// chunk sent ahead does not wait long behind a slow one while another worker idles.
const AHEAD_US = 500;
// Chunks a worker holds at most and at least (while there is work), the one it runs included.
// Together with the worker's batches of results (worker.ts), enough that the parent handles a
// message in each direction per few dozen tiny tasks, not per few.
const MAX_HELD = 128;
const MIN_HELD = 2;
// A worker whose chunks run this fast is watched for its answer for as long, blocking the event
// loop that briefly, before the parent waits without blocking: the answer usually comes within
// it, and an event-loop wake-up costs tens of microseconds (hundreds when the CPU slept).
const SPIN_US = 30;
// Chunks of an imap input read ahead of its consumer, per worker: enough to fill its window;
// fewer when the results are big, so that those waiting for the consumer stay within about
// RESULTS_AHEAD_BYTES (see ResultStream.readAhead()).
const READ_AHEAD = MAX_HELD;
const RESULTS_AHEAD_BYTES = 32 * 1024 * 1024;
// How often a reader waiting on a worker looks at whether it died (its pipe wakes this often anyway).
const POLL_MS = 100;
// Workers dying before they are ready, in a row, before the pool gives up instead of looping.
const MAX_STARTUP_FAILURES = 3;

const WORKER: TargetRef = {
  module: pathToFileURL(join(packageRoot, 'dist', 'index.js')).href,
  name: '__poolWorker',
};

function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

function checkArgs(args: unknown, name: string): unknown[] {
  if (!Array.isArray(args)) throw typeError(`The "${name}" argument must be an array, received ${describe(args)}`);
  return args;
}

function toList(iterable: unknown, name: string): unknown[] {
  if (iterable === null || iterable === undefined
    || typeof (iterable as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw typeError(`The "${name}" argument must be iterable, received ${describe(iterable)}`);
  }
  // slice() copies a plain array as one block; a hole becomes undefined either way when sent.
  return Array.isArray(iterable) ? iterable.slice() : [...(iterable as Iterable<unknown>)];
}

// The iterator of an iterable or async iterable (imap's input).
function iteratorOf(iterable: unknown): Iterator<unknown> | AsyncIterator<unknown> {
  const source = iterable as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
  const asyncIterator = source?.[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') return asyncIterator.call(source);
  const iterator = source?.[Symbol.iterator];
  if (typeof iterator === 'function') return iterator.call(source);
  throw typeError(`The "iterable" argument must be iterable or async iterable, received ${describe(iterable)}`);
}

function checkChunksize(value: unknown): number | undefined {
  return value === undefined ? undefined : checkInteger(value, 'chunksize', 1, 2 ** 31 - 1);
}

/** A pool of worker processes (Python's multiprocessing.Pool). */
export class Pool implements AsyncDisposable {
  readonly #size: number;
  readonly #setup: WorkerSetup;
  readonly #affinity: 'spread' | number[] | undefined;
  readonly #priority: number | undefined;
  readonly #slots = new Set<Slot>();
  #pending = new Fifo<Chunk>();
  #state: 'run' | 'close' | 'terminate' = 'run';
  #broken: Error | null = null;
  #startupFailures = 0;
  #workersStarted = 0;
  #nextId = 1;
  // Functions by "module#name", numbered in the order they are first submitted.
  readonly #functions = new Map<string, number>();
  readonly #locations: TargetLocation[] = [];
  // Chunks submitted and not yet settled, and imap inputs still being read.
  #outstanding = 0;
  #feeding = 0;
  // Held while work is outstanding: workers are daemons and a replacement's start or a
  // retiring worker's exit would otherwise leave nothing keeping the event loop alive.
  #keepAlive: NodeJS.Timeout | undefined;
  // Microseconds a chunk runs, a moving average over the last few (Infinity before the first).
  #runUs = Infinity;
  #queuedTasks = 0;
  #runningTasks = 0;
  #completed = 0;
  #failed = 0;
  #workerDeaths = 0;
  readonly #latency = new LatencyHistogram();

  constructor(options?: PoolOptions) {
    refuseWhileImporting('new Pool()');
    const opts = checkObject(options, 'options');
    this.#size = opts.processes === undefined ? cpuCount() : checkInteger(opts.processes, 'processes', 1, 1024);
    const initializer = opts.initializer === undefined ? null : locateTarget(opts.initializer, 'initializer');
    const initargs = opts.initargs === undefined ? [] : [...checkArgs(opts.initargs, 'initargs')];
    try {
      serialize(initargs);
    } catch (err) {
      throw typeError(`The "initargs" option cannot be sent to a worker process: ${(err as Error).message}`);
    }
    const maxTasks = opts.maxTasksPerChild === undefined ? 0
      : checkInteger(opts.maxTasksPerChild, 'maxTasksPerChild', 1, 2 ** 31 - 1);
    this.#setup = { initializer, initargs, maxTasks };
    if (opts.affinity === undefined || opts.affinity === 'spread') this.#affinity = opts.affinity;
    else if (!Array.isArray(opts.affinity)) {
      throw typeError(`The "affinity" option must be 'spread' or an array of CPU numbers, received ${describe(opts.affinity)}`);
    } else this.#affinity = opts.affinity.map((c, i) => checkInteger(c, `affinity[${i}]`, 0, 1023));
    this.#priority = opts.priority === undefined ? undefined : checkInteger(opts.priority, 'priority', -20, 19);
    for (let i = 0; i < this.#size; i++) this.#spawn();
  }

  /** Calls `fn(...args)` in a worker and resolves with its result. */
  async apply<A extends readonly unknown[], R>(fn: PoolTarget<A, R>, args?: A): Promise<Awaited<R>> {
    return this.applyAsync(fn, args).get();
  }

  /** Submits `fn(...args)`; the AsyncResult settles (and a callback runs) when it is done. */
  applyAsync<A extends readonly unknown[], R>(fn: PoolTarget<A, R>, args?: A,
    callbacks?: AsyncResultCallbacks<Awaited<R>>): AsyncResult<Awaited<R>> {
    const where = locateTarget(fn, 'fn');
    const calls = [[...checkArgs(args ?? [], 'args')]];
    const result = AsyncResult.make<Awaited<R>>(checkObject(callbacks, 'callbacks'));
    this.#checkRunning();
    this.#submit(where, calls, true, 1, 0, (_, error, values) => {
      result.settle(error, values?.[0] as Awaited<R>);
    });
    return result;
  }

  /** `fn` applied to every item, in parallel; results in order (Python's map). */
  async map<T, R>(fn: PoolTarget<[T], R>, iterable: Iterable<T>, chunksize?: number): Promise<Awaited<R>[]> {
    return this.mapAsync(fn, iterable, chunksize).get();
  }

  /** Like map(), with each item an array of arguments (Python's starmap). */
  async starmap<A extends readonly unknown[], R>(fn: PoolTarget<A, R>, iterable: Iterable<A>,
    chunksize?: number): Promise<Awaited<R>[]> {
    return this.starmapAsync(fn, iterable, chunksize).get();
  }

  /** map() returning an AsyncResult of the list. */
  mapAsync<T, R>(fn: PoolTarget<[T], R>, iterable: Iterable<T>, chunksize?: number,
    callbacks?: AsyncResultCallbacks<Awaited<R>[]>): AsyncResult<Awaited<R>[]> {
    const where = locateTarget(fn, 'fn');
    const calls = toList(iterable, 'iterable');
    return this.#collect(where, calls, false, checkChunksize(chunksize), checkObject(callbacks, 'callbacks'));
  }

  /** starmap() returning an AsyncResult of the list. */
  starmapAsync<A extends readonly unknown[], R>(fn: PoolTarget<A, R>, iterable: Iterable<A>,
    chunksize?: number, callbacks?: AsyncResultCallbacks<Awaited<R>[]>): AsyncResult<Awaited<R>[]> {
    const where = locateTarget(fn, 'fn');
    const calls = toList(iterable, 'iterable').map((item, i) => toList(item, `iterable[${i}]`));
    return this.#collect(where, calls, true, checkChunksize(chunksize), checkObject(callbacks, 'callbacks'));
  }

  /**
   * Results of `fn` over `iterable` (sync or async) in order, as they are ready (chunksize
   * default 1). The input is read lazily, a little ahead of the consumer.
   */
  imap<T, R>(fn: PoolTarget<[T], R>, iterable: Iterable<T> | AsyncIterable<T>, chunksize = 1): AsyncIterableIterator<Awaited<R>> {
    return this.#stream<Awaited<R>>(fn, iterable, chunksize, true);
  }

  /** Results of `fn` over `iterable` (sync or async) in the order they finish. */
  imapUnordered<T, R>(fn: PoolTarget<[T], R>, iterable: Iterable<T> | AsyncIterable<T>,
    chunksize = 1): AsyncIterableIterator<Awaited<R>> {
    return this.#stream<Awaited<R>>(fn, iterable, chunksize, false);
  }

  /** Counts of tasks and workers, and task latency percentiles, since the pool started. */
  stats(): PoolStats {
    return {
      workers: [...this.#slots].filter((s) => !s.dead).length,
      queued: this.#queuedTasks,
      running: this.#runningTasks,
      completed: this.#completed,
      failed: this.#failed,
      workerDeaths: this.#workerDeaths,
      latency: this.#latency.summary(),
    };
  }

  /** No more tasks: the workers exit once the submitted work is done. */
  close(): void {
    if (this.#state === 'run') this.#state = 'close';
    this.#whenIdle();
  }

  /** Stops the workers now; results still pending reject with a ProcessError. */
  terminate(): void {
    if (this.#state === 'terminate') return;
    this.#state = 'terminate';
    this.#failAll(new ProcessError('the pool was terminated before this task finished', 'ERR_POOL_TERMINATED'));
    for (const slot of this.#slots) slot.proc.terminate();
  }

  /** Waits for every worker to exit; call close() or terminate() first. */
  async join(): Promise<void> {
    if (this.#state === 'run') {
      throw new MultiprocError('the pool is still running: call close() or terminate() before join()', 'ERR_POOL_RUNNING');
    }
    // Workers are daemons and do not hold the event loop; whoever waits for them does.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    try {
      while (this.#slots.size > 0) await Promise.all([...this.#slots].map((s) => s.gone));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** `await using pool = new mp.Pool()`: terminates and joins, like Python's `with Pool()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    await this.join();
  }

  // ------------------------------------------------------------------ submitting

  #checkRunning(): void {
    if (this.#state !== 'run') {
      throw new MultiprocError('the pool is not running (close() or terminate() was called)', 'ERR_POOL_NOT_RUNNING');
    }
  }

  #collect<R>(fn: TargetLocation, calls: unknown[], star: boolean, chunksize: number | undefined,
    callbacks: AsyncResultCallbacks<R[]>): AsyncResult<R[]> {
    this.#checkRunning();
    const result = AsyncResult.make<R[]>(callbacks);
    const values = new Array<R>(calls.length);
    // Python's default: about four chunks per worker.
    const size = chunksize ?? Math.max(1, Math.ceil(calls.length / (4 * this.#size)));
    let left = Math.ceil(calls.length / size);
    if (left === 0) result.settle(null, []);
    this.#submit(fn, calls, star, size, 0, (index, error, chunkValues) => {
      if (error) return result.settle(error);
      const at = index * size;
      for (let i = 0; i < chunkValues!.length; i++) values[at + i] = chunkValues![i] as R;
      if (--left === 0) result.settle(null, values);
    }, { failed: false });
    return result;
  }

  #stream<R>(fn: unknown, iterable: unknown, chunksize: unknown, ordered: boolean): ResultStream<R> {
    const where = locateTarget(fn, 'fn');
    const iterator = iteratorOf(iterable);
    const size = checkInteger(chunksize, 'chunksize', 1, 2 ** 31 - 1);
    this.#checkRunning();
    const stream = ResultStream.make<R>(ordered);
    void this.#feed(where, iterator, size, stream);
    return stream;
  }

  // Reads imap's input chunk by chunk, no further ahead of the consumer than READ_AHEAD chunks
  // per worker, and submits each chunk. Like Python's, it goes on after close().
  async #feed<R>(fn: TargetLocation, iterator: Iterator<unknown> | AsyncIterator<unknown>, size: number,
    stream: ResultStream<R>): Promise<void> {
    this.#feeding++;
    let index = 0;
    try {
      for (;;) {
        while (index - stream.consumed >= stream.readAhead(2 * this.#size, READ_AHEAD * this.#size, RESULTS_AHEAD_BYTES)
          && !stream.stopped) await stream.whenConsumed();
        if (stream.stopped || this.#state === 'terminate') {
          await iterator.return?.();
          break;
        }
        const calls: unknown[] = [];
        let done = false;
        while (calls.length < size) {
          const step = iterator.next();
          const item = step instanceof Promise ? await step : step as IteratorResult<unknown>;
          if (item.done) {
            done = true;
            break;
          }
          calls.push(item.value);
        }
        if (calls.length > 0) {
          this.#submit(fn, calls, false, size, index++, (i, error, values, bytes) => {
            stream.deliver(i, error, values as R[], bytes);
          });
        }
        if (done) break;
      }
    } catch (err) {
      // The input threw: that error comes out of the iterator at its place, and ends it.
      stream.deliver(index++, err as Error);
    } finally {
      stream.end(index);
      this.#feeding--;
      this.#whenIdle();
    }
  }

  // Splits `calls` into chunks of `size`, numbered from `first`; `settle` is called once per chunk.
  #submit(location: TargetLocation, calls: unknown[], star: boolean, size: number, first: number,
    settle: (index: number, error: Error | null, values?: unknown[], bytes?: number) => void, call?: MapCall): void {
    const fn = this.#functionNumber(location);
    const submitted = performance.now();
    for (let i = 0, index = first; i < calls.length; i += size, index++) {
      const chunk: Chunk = {
        id: this.#nextId++, fn, star, calls: size >= calls.length ? calls : calls.slice(i, i + size),
        submitted, seq: -1, index, settle, call, abandoned: false,
      };
      // A broken pool fails what is submitted with the error that broke it.
      if (this.#broken) {
        this.#failed += chunk.calls.length;
        chunk.settle(index, this.#broken);
      } else {
        if (this.#outstanding++ === 0) this.#keepAlive = setInterval(() => {}, 2 ** 30);
        this.#pending.push(chunk);
        this.#queuedTasks += chunk.calls.length;
      }
    }
    this.#dispatch();
  }

  #functionNumber(where: TargetLocation): number {
    const key = `${where.module}#${where.name}`;
    let n = this.#functions.get(key);
    if (n === undefined) {
      n = this.#locations.push(where) - 1;
      this.#functions.set(key, n);
    }
    return n;
  }

  #finish(chunk: Chunk, error: Error | null, values?: unknown[], bytes?: number): void {
    if (--this.#outstanding === 0) clearInterval(this.#keepAlive);
    const tasks = chunk.calls.length;
    if (error) this.#failed += tasks;
    else this.#completed += tasks;
    this.#latency.record(performance.now() - chunk.submitted, tasks);
    // Before the map's promise rejects (or its errorCallback runs), so that stats() adds up then.
    if (error && chunk.call && !chunk.call.failed) this.#cancelRest(chunk.call);
    chunk.settle(chunk.index, error, values, bytes);
  }

  // One chunk of a map failed: its other chunks count as failed now. Those waiting, or sent and
  // not begun, are cancelled; those begun stay held (their answers keep the worker's order) and
  // are abandoned. Their callbacks are not called: the failing chunk settles the map.
  #cancelRest(call: MapCall): void {
    call.failed = true;
    const kept = new Fifo<Chunk>();
    while (this.#pending.length > 0) {
      const chunk = this.#pending.shift()!;
      if (chunk.call !== call) kept.push(chunk);
      else {
        this.#queuedTasks -= chunk.calls.length;
        this.#drop(chunk);
      }
    }
    this.#pending = kept;
    for (const slot of this.#slots) {
      for (let i = slot.held.length - 1; i >= 0; i--) {
        const chunk = slot.held[i]!;
        if (chunk.call !== call || chunk.abandoned) continue;
        this.#runningTasks -= chunk.calls.length;
        if (slot.claims.takeBack(chunk.seq)) {
          slot.held.splice(i, 1);
          slot.takenBack++;
        } else chunk.abandoned = true;
        this.#drop(chunk);
      }
    }
  }

  // Counts a cancelled or abandoned chunk as failed, without settling it.
  #drop(chunk: Chunk): void {
    if (--this.#outstanding === 0) clearInterval(this.#keepAlive);
    this.#failed += chunk.calls.length;
  }

  // How many chunks a worker may hold: what it runs in about AHEAD_US, and never less than the
  // one it runs and the next, so that it never waits for the parent between two; a chunk sent
  // ahead is taken back if another worker runs out of work first.
  #window(): number {
    return Math.max(MIN_HELD, Math.min(MAX_HELD, Math.floor(AHEAD_US / this.#runUs)));
  }

  // Hands pending chunks to the least busy workers that can take some, each its share at once;
  // then lets idle workers take over chunks that others hold and have not begun.
  #dispatch(): void {
    const window = this.#window();
    for (;;) {
      while (this.#pending.length > 0) {
        let best: Slot | undefined;
        let open = 0;
        for (const slot of this.#slots) {
          if (this.#room(slot, window) === 0) continue;
          open++;
          if (!best || slot.held.length < best.held.length) best = slot;
        }
        if (!best) break;
        const take = Math.min(this.#room(best, window), Math.ceil(this.#pending.length / open));
        const chunks: Chunk[] = [];
        for (let i = 0; i < take; i++) chunks.push(this.#pending.shift()!);
        this.#send(best, chunks);
      }
      if (this.#pending.length > 0 || !this.#takeBackForIdle(window)) break;
    }
    this.#whenIdle();
  }

  // How many more chunks a worker may be sent now.
  #room(slot: Slot, window: number): number {
    if (slot.dead || slot.stopping || slot.unreachable || slot.behind || slot.congested) return 0;
    let room = window - slot.held.length;
    // A worker retiring after maxTasksPerChild chunks must not be sent more than it will run.
    const max = this.#setup.maxTasks;
    if (max > 0) room = Math.min(room, max - (slot.sent - slot.takenBack));
    // Claim words are reused every CLAIM_SLOTS chunks: never while the oldest still needs its own.
    if (slot.held.length > 0) room = Math.min(room, CLAIM_SLOTS - (slot.sent - slot.held[0]!.seq));
    return Math.max(0, room);
  }

  // When a worker holds nothing and another holds chunks it has not begun, moves the later half
  // of those back to the pending list. True if any moved.
  #takeBackForIdle(window: number): boolean {
    let idle = false;
    let victim: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.held.length === 0 && this.#room(slot, window) > 0) idle = true;
      else if (!slot.dead && slot.held.length >= 2 && (!victim || slot.held.length > victim.held.length)) victim = slot;
    }
    if (!idle || !victim) return false;
    const back: Chunk[] = [];
    while (victim.held.length - back.length >= 2 && back.length < victim.held.length / 2) {
      const chunk = victim.held[victim.held.length - 1 - back.length]!;
      if (!victim.claims.takeBack(chunk.seq)) break;
      back.push(chunk);
    }
    if (back.length === 0) return false;
    // Were it sent more now, they would wait behind the same slow chunk (or a dead worker).
    victim.behind = true;
    victim.held.length -= back.length;
    victim.takenBack += back.length;
    for (const chunk of back.reverse()) {
      this.#runningTasks -= chunk.calls.length;
      this.#queuedTasks += chunk.calls.length;
      this.#pending.push(chunk);
    }
    return true;
  }

  // Sends chunks to a worker in one message. A chunk whose arguments cannot travel fails alone;
  // a worker found dying keeps none, and gets no more.
  #send(slot: Slot, chunks: Chunk[]): void {
    const error = this.#trySend(slot, chunks);
    if (error === null) return;
    if (error instanceof BrokenPipeError) {
      slot.unreachable = true;
      this.#requeue(chunks);
      return;
    }
    for (const chunk of chunks) {
      const error = this.#trySend(slot, [chunk]);
      if (error) {
        this.#queuedTasks -= chunk.calls.length;
        this.#finish(chunk, error);
      }
    }
  }

  // Offers the chunks (claims.ts) before the worker can see them, and sends them; the error if
  // they could not be sent (then nothing was).
  #trySend(slot: Slot, chunks: readonly Chunk[]): Error | null {
    for (let i = 0; i < chunks.length; i++) {
      chunks[i]!.seq = slot.sent + i;
      slot.claims.offer(slot.sent + i);
    }
    try {
      // Never blocking the event loop: past the pipe's bound the worker is sent no more for now.
      if (!slot.conn.sendNoWait(new PlainList(this.#work(slot, chunks)))) this.#congested(slot);
    } catch (err) {
      return err as Error;
    }
    slot.sent += chunks.length;
    for (const chunk of chunks) {
      slot.defined[chunk.fn] = true;
      slot.held.push(chunk);
      const tasks = chunk.calls.length;
      this.#queuedTasks -= tasks;
      this.#runningTasks += tasks;
    }
    this.#read(slot);
    return null;
  }

  // A worker's pipe holds more waiting for room than its bound (the worker does not read, or its
  // tasks' arguments are big): it is sent more once that is written.
  #congested(slot: Slot): void {
    if (slot.congested) return;
    slot.congested = true;
    const resume = () => {
      slot.congested = false;
      this.#dispatch();
    };
    slot.conn.whenWritable().then(resume, resume);
  }

  // The message for `chunks` (see WorkMessage); functions the worker has not been sent yet are
  // named in it.
  #work(slot: Slot, chunks: readonly Chunk[]): unknown[] {
    const items: unknown[] = [];
    let naming: number[] | undefined;
    for (const chunk of chunks) {
      const defines = !slot.defined[chunk.fn] && !naming?.includes(chunk.fn);
      items.push(chunk.id, chunk.fn, (chunk.star ? STAR : 0) | (defines ? DEFINES : 0));
      if (defines) {
        (naming ??= []).push(chunk.fn);
        const where = this.#locations[chunk.fn]!;
        items.push(where.module, where.name);
      }
      items.push(new PlainList(chunk.calls));
    }
    return items;
  }

  // ------------------------------------------------------------------ workers

  #spawn(): void {
    const [mine, theirs] = Pipe<ToWorker | FromWorker>();
    const n = ++this.#workersStarted;
    let affinity: number[] | undefined;
    if (this.#affinity === 'spread') {
      const cpus = getAffinity(0);
      affinity = [cpus[(n - 1) % cpus.length]!];
    } else affinity = this.#affinity;
    const claims = Claims.create();
    let proc: Process & { readonly pid: number };
    try {
      proc = new Process({ target: WORKER, args: [theirs, this.#setup, claims.shared], name: `PoolWorker-${n}`,
        daemon: true, affinity, priority: this.#priority }).start();
    } finally {
      // The worker holds its own copy now (or never will): the parent's must not keep the pipe open.
      theirs.close();
    }
    let markGone!: () => void;
    const gone = new Promise<void>((resolve) => { markGone = resolve; });
    const slot: Slot = { proc, conn: mine, held: [], sent: 0, takenBack: 0, claims, defined: [], ready: false, dead: false,
      unreachable: false, behind: false, congested: false, reading: false, stopping: false, gone, markGone };
    this.#slots.add(slot);
    void proc.whenExited().then(() => {
      slot.dead = true;
      this.#read(slot);
    });
    // Reads the worker's 'ready' (or its initializer's error).
    this.#read(slot);
  }

  // Reads a worker's messages while it owes some: results of held chunks, its 'ready', or,
  // once it died, whatever it sent before; then buries a dead worker. Everything already there
  // is read at once; waiting only while something is owed keeps an idle pool from holding the
  // event loop.
  #read(slot: Slot): void {
    if (slot.reading) return;
    slot.reading = true;
    void (async () => {
      try {
        while (slot.dead || !slot.ready || slot.held.length > 0) {
          const message = slot.conn.take() as FromWorker | typeof NOTHING;
          if (message !== NOTHING) {
            this.#onMessage(slot, message);
            continue;
          }
          if (slot.dead) {
            this.#bury(slot);
            break;
          }
          if (this.#runUs <= SPIN_US && slot.held.length > 0 && slot.conn.spinUntilReadable(SPIN_US)) continue;
          await slot.conn.poll(POLL_MS);
        }
      } catch (err) {
        if (!(err instanceof EOFError)) {
          getLogger().error(`pool: cannot read from ${slot.proc.name}: ${String(err)}`);
          slot.proc.kill();
        }
        // An end of file means the worker is gone (or going): what it sent has been read.
        if (slot.dead) this.#bury(slot);
      } finally {
        slot.reading = false;
      }
    })();
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (Array.isArray(message)) {
      // The results' size, shared evenly among the chunks answered together.
      const bytes = (3 * slot.conn.takenBytes) / message.length;
      for (let i = 0; i + 2 < message.length; i += 3) {
        this.#answered(slot, message[i] as number, message[i + 1] as number, message[i + 2], bytes);
      }
      this.#dispatch();
      return;
    }
    const control = message as { kind: string; error?: PackedError };
    if (control.kind === 'ready') {
      slot.ready = true;
      this.#startupFailures = 0;
    } else if (control.kind === 'initError') {
      // That worker exits by itself once it has printed the error.
      this.#break(unpackError(control.error!), slot);
    }
  }

  // The oldest chunk a worker holds was answered: `us` microseconds of running and its values
  // (about `bytes` of them), or FAILED and the error.
  #answered(slot: Slot, id: number, us: number, outcome: unknown, bytes: number): void {
    const chunk = slot.held[0];
    // Chunks failed by terminate() or a broken pool may still be answered: ignore those.
    if (!chunk || chunk.id !== id) return;
    slot.held.shift();
    slot.behind = false;
    if (chunk.abandoned) return;
    this.#runningTasks -= chunk.calls.length;
    if (us === FAILED) {
      this.#finish(chunk, unpackError(outcome as PackedError));
      return;
    }
    this.#runUs = this.#runUs === Infinity ? us : 0.8 * this.#runUs + 0.2 * us;
    this.#finish(chunk, null, outcome as unknown[], bytes);
  }

  // A worker has exited and everything it sent has been read.
  #bury(slot: Slot): void {
    if (!this.#slots.delete(slot)) return;
    slot.conn.close();
    const held = this.#unhold(slot);
    // The chunks it began and did not answer ran, or were running: they fail. The others go back.
    const begun = held.filter((chunk) => slot.claims.begun(chunk.seq));
    held.splice(0, begun.length);
    for (const chunk of held) this.#queuedTasks += chunk.calls.length;
    this.#requeue(held);
    for (const chunk of begun) this.#finish(chunk, this.#deathError(slot));
    const unexpected = !slot.stopping && this.#state !== 'terminate' && !this.#broken;
    if (unexpected) this.#workerDeaths++;
    if (unexpected && !slot.ready && ++this.#startupFailures >= MAX_STARTUP_FAILURES) {
      this.#break(new ProcessError(`${MAX_STARTUP_FAILURES} pool workers in a row exited before they `
        + `were ready (the last, ${slot.proc.name}, ${this.#howEnded(slot)}); the pool gives up`,
      'ERR_POOL_WORKER_STARTUP'));
    }
    this.#replenish();
    slot.markGone();
  }

  #howEnded(slot: Slot): string {
    const code = slot.proc.exitCode;
    return code !== null && code < 0 ? `was killed by ${signalName(-code)}` : `exited with code ${code}`;
  }

  #deathError(slot: Slot): ProcessError {
    return new ProcessError(`pool worker ${slot.proc.name} (pid ${slot.proc.pid}) ${this.#howEnded(slot)} `
      + 'while running this task', 'ERR_POOL_WORKER_DIED');
  }

  // Keeps the pool at its size while it may still have work.
  #replenish(): void {
    const wanted = this.#state === 'run' || (this.#state === 'close' && (this.#outstanding > 0 || this.#feeding > 0));
    while (wanted && !this.#broken && this.#slots.size < this.#size) {
      try {
        this.#spawn();
      } catch (err) {
        this.#break(err as Error);
      }
    }
    this.#dispatch();
  }

  // A failing initializer (or workers that cannot start) breaks the pool: everything pending
  // and everything submitted later fails with that error, and no worker is started again.
  #break(error: Error, spared?: Slot): void {
    if (this.#broken) return;
    this.#broken = error;
    this.#failAll(error);
    for (const slot of this.#slots) if (slot !== spared) slot.proc.terminate();
  }

  #failAll(error: Error): void {
    const chunks: Chunk[] = [];
    while (this.#pending.length > 0) chunks.push(this.#pending.shift()!);
    this.#queuedTasks = 0;
    for (const slot of this.#slots) chunks.push(...this.#unhold(slot));
    for (const chunk of chunks) this.#finish(chunk, error);
  }

  // Puts chunks back at the front of the pending list, in their order.
  #requeue(chunks: readonly Chunk[]): void {
    if (chunks.length === 0) return;
    const rest = this.#pending;
    this.#pending = new Fifo<Chunk>();
    for (const chunk of chunks) this.#pending.push(chunk);
    while (rest.length > 0) this.#pending.push(rest.shift()!);
  }

  // Takes back the chunks a worker holds, but for abandoned ones (counted already).
  #unhold(slot: Slot): Chunk[] {
    const held = slot.held.splice(0).filter((chunk) => !chunk.abandoned);
    for (const chunk of held) this.#runningTasks -= chunk.calls.length;
    return held;
  }

  // Once closed and out of work, tells each worker to finish.
  #whenIdle(): void {
    if (this.#state !== 'close' || this.#outstanding > 0 || this.#feeding > 0) return;
    for (const slot of this.#slots) {
      if (slot.stopping || slot.dead) continue;
      slot.stopping = true;
      try {
        slot.conn.sendNoWait(null);
      } catch {
        slot.proc.terminate();
      }
    }
  }
}
