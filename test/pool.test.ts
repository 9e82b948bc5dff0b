import { describe, expect, it } from 'vitest';
import { spawnChild, stillRunning, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

function scenario(name: string) {
  return spawnChild('pool_family.mjs', { scenario: name });
}

const FIXTURE_FRAME = /at fails \(file:\/\/.*pool_family\.mjs:\d+:\d+\)/;

describe('Pool', () => {
  it('map, starmap, mapAsync, imap and imapUnordered: values, order, chunking, every worker used', async () => {
    const r = await scenario('map').result();
    expect(r.map).toEqual(Array.from({ length: 1000 }, (_, i) => i * i));
    expect(r.mapChunk1).toEqual([1, 4, 9, 16, 25]);
    expect(r.mapEmpty).toEqual([]);
    expect(r.mapFromSet).toEqual([9, 16]);
    expect(r.starmap).toEqual([3, 7, 11]);
    expect(r.starmapStrings).toEqual(['ab', 'cd']);
    expect(r.mapAsync).toEqual([49, 64]);
    expect(r.starmapAsync).toEqual([11]);
    // imap keeps submission order; imapUnordered yields in completion order (2 workers: 10 ms,
    // then 150 ms on the worker freed by it, while the 300 ms task is still running).
    expect(r.imap).toEqual([300, 10, 150]);
    expect(r.imapUnordered).toEqual([10, 150, 300]);
    expect(r.imapChunkedOk).toBe(true);
    expect(r.workers).toEqual(['PoolWorker-1', 'PoolWorker-2']);
  });

  it('apply, initializer, { module, name } targets; applyAsync: callbacks, get(timeout), wait, ready, successful', async () => {
    const r = await scenario('apply').result();
    expect(r.apply).toBe(5);
    expect(r.greet).toBe('hello, pool');
    expect(r.ref).toBe(81);
    expect(r.readyAtOnce).toBe(false);
    expect(r.successfulEarly).toBe('ERR_RESULT_NOT_READY');
    expect(r.timeout).toEqual({ name: 'TimeoutError', code: 'ETIMEDOUT', isTimeoutError: true });
    expect(r.readyAfterShortWait).toBe(false);
    expect(r.readyAfterWait).toBe(true);
    expect(r.successful).toBe(true);
    expect(r.value).toBe(200);
    expect(r.badSuccessful).toBe(false);
    expect(r.calls).toEqual([['callback', 200], ['errorCallback', 'value 7 out of range in a task']]);
  });

  it("a task's error rejects its result with the original class, message, code and remote stack", async () => {
    const r = await scenario('errors').result();
    for (const e of [r.apply, r.map]) {
      expect(e).toMatchObject({ name: 'RangeError', code: 'E_TASK', isProcessError: false });
      expect(e.message).toMatch(/^value \d out of range in a task$/);
      expect(e.stack).toMatch(FIXTURE_FRAME);
    }
    expect(r.unsendableResult).toMatchObject({ name: 'TypeError', message: 'a function cannot be sent to another process' });
    expect(r.unsendableArg).toMatchObject({ name: 'TypeError', message: 'a function cannot be sent to another process' });
    expect(r.anonymous).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(r.anonymous.message).toMatch(/"fn" function must be named and exported/);
    // imap gives the values before the failing item, then throws there.
    expect(r.imapSeen).toEqual([1, 4]);
    expect(r.imapError).toMatchObject({ name: 'TypeError', message: 'not a number: x' });
    expect(r.after).toEqual([1, 4, 9]);
  });

  it('a worker killed mid-task fails only its task with a ProcessError, is replaced, and the pool goes on; so does process.exit in a task', async () => {
    const parent = scenario('killed');
    const r = await parent.result();
    expect(r.victim).toMatchObject({ name: 'ProcessError', code: 'ERR_POOL_WORKER_DIED', isProcessError: true });
    expect(r.victim.message).toBe(`pool worker PoolWorker-1 (pid ${r.killedPid}) was killed by SIGKILL while running this task`);
    expect(r.others).toEqual([50, 50, 50, 50, 50, 50]);
    expect(r.after).toEqual([1, 4, 9, 16]);
    expect(r.workerPidsAfter).toHaveLength(2);
    expect(r.workerPidsAfter).not.toContain(r.killedPid);
    expect(r.exit3).toMatchObject({ name: 'ProcessError', code: 'ERR_POOL_WORKER_DIED' });
    expect(r.exit3.message).toMatch(/^pool worker PoolWorker-\d \(pid \d+\) exited with code 3 while running this task$/);
    expect(r.afterExit).toBe(42);
    expect(r.activeChildren).toBe(0);
  });

  it('stats(): counts of queued, running, completed and failed tasks, worker deaths, latency percentiles', async () => {
    const r = await scenario('stats').result();
    expect(r.before).toMatchObject({ workers: 2, queued: 0, running: 0, completed: 0, failed: 0, workerDeaths: 0 });
    expect(r.before.latency).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
    // 100 squares, then three calls of which one fails; then three tasks waiting for a gate.
    expect(r.busy).toMatchObject({ workers: 2, completed: 102, failed: 1 });
    expect(r.busy.queued + r.busy.running).toBe(3);
    expect(r.after).toMatchObject({ queued: 0, running: 0, completed: 105, failed: 1, workerDeaths: 0 });
    const l = r.after.latency;
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    // The gate opened 300 ms after they were submitted (timers may fire a millisecond early).
    expect(l.max).toBeGreaterThanOrEqual(290);
    expect(l.mean).toBeGreaterThan(0);
  });

  it("stats() add up as a failed map rejects: its other tasks count as failed, those not begun never run", async () => {
    const r = await scenario('failedMapStats').result();
    expect(r.error).toMatchObject({ name: 'RangeError', message: 'item 0 fails' });
    expect(r.atRejection).toMatchObject({ queued: 0, running: 0, completed: 0, failed: 20 });
    expect(r.inErrorCallback).toMatchObject({ queued: 0, running: 0, completed: 0, failed: 40 });
    expect(r.after).toEqual([1, 4, 9]);
    // The abandoned tasks' answers, come later, were not counted again.
    expect(r.joined).toMatchObject({ queued: 0, running: 0, completed: 3, failed: 40 });
    // Two workers hold two tasks each: the last items of the first map were cancelled unsent.
    expect(r.runs.slice(4).every((n: number) => n <= 1)).toBe(true);
    expect(r.runs[19]).toBe(0);
  });

  it('imap reads an endless input lazily, takes async iterables, reports an input that throws, and goes on after close()', async () => {
    const r = await scenario('lazyImap').result();
    expect(r.seen).toEqual(Array.from({ length: 50 }, (_, i) => i * i));
    // Read ahead of the consumer by a bounded amount, not forever.
    expect(r.pulled).toBeGreaterThanOrEqual(50);
    expect(r.pulled).toBeLessThan(1000);
    expect(r.fromAsync).toEqual([1, 4, 9, 16, 25, 36]);
    expect(r.unorderedAsync).toEqual([1, 4, 9, 16, 25, 36]);
    expect(r.brokenSeen).toEqual([1, 4]);
    expect(r.brokenError).toMatchObject({ name: 'RangeError', message: 'input broke' });
    expect(r.afterClose).toEqual([1, 4, 9, 16, 25, 36]);
    expect(r.activeChildren).toBe(0);
  });

  it('a task sent ahead to a busy worker is taken back by the worker that becomes idle', async () => {
    const r = await scenario('takeBack').result();
    expect(r.quick.every((pid: number) => pid !== r.slow)).toBe(true);
  });

  it('a worker killed among tasks sent ahead and answered in batches: the tasks it began fail, none runs twice, the rest succeed', async () => {
    const r = await scenario('killedInBatch').result(60_000);
    expect(r.outcomes[1500]).toBe('ERR_POOL_WORKER_DIED');
    expect(r.byOutcome.ok + r.byOutcome.ERR_POOL_WORKER_DIED).toBe(3000);
    // At most the results it held back (64 chunks) and the one it was running.
    expect(r.byOutcome.ERR_POOL_WORKER_DIED).toBeLessThanOrEqual(65);
    // Nothing ran twice, nothing was skipped: what failed with the death had begun.
    expect(r.runs.every((n: number) => n === 1)).toBe(true);
    expect(r.stats).toMatchObject({ workers: 2, completed: 5000 - r.byOutcome.ERR_POOL_WORKER_DIED, workerDeaths: 1 });
  }, 90_000);

  it('a failing initializer rejects pending and later results with its error, and is not retried', async () => {
    const parent = scenario('badInit');
    const r = await parent.result();
    for (const e of [r.map, r.later]) {
      expect(e).toMatchObject({ name: 'TypeError', message: 'initializer cannot connect', isProcessError: false });
      expect(e.stack).toMatch(/at badInit \(file:\/\/.*pool_family\.mjs/);
    }
    // At most one start per worker: no worker was started again after the failure.
    expect(r.starts).toBeGreaterThanOrEqual(1);
    expect(r.starts).toBeLessThanOrEqual(2);
    expect(r.activeChildren).toBe(0);
    expect(parent.stderr()).toMatch(/Process PoolWorker-\d:\nTypeError: initializer cannot connect/);
  });

  it('shared objects as task arguments: a Value under a Lock, an Array', async () => {
    const r = await scenario('shared').result();
    expect(r.value).toBe(8000);
    expect(r.workersUsed).toBe(2);
    expect(r.array).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('maxTasksPerChild, close (work finishes, new work refused), join, terminate via asyncDispose; nothing left behind', async () => {
    const parent = scenario('lifecycle');
    const r = await parent.result();
    expect(r.joinWhileRunning).toBe('ERR_POOL_RUNNING');
    // 8 single-task chunks, 2 workers retiring after 2 chunks each.
    expect(r.mostTasksInOneWorker).toBe(2);
    expect(r.distinctWorkers).toBeGreaterThanOrEqual(4);
    expect(r.afterClose).toBe('ERR_POOL_NOT_RUNNING');
    expect(r.pendingAfterClose).toEqual([100, 100, 100]);
    expect(r.activeAfterJoin).toBe(0);
    expect(r.terminated).toMatchObject({ name: 'ProcessError', code: 'ERR_POOL_TERMINATED' });
    expect(r.disposeMs).toBeLessThan(5000);
    expect(r.activeAfterDispose).toBe(0);
    expect(await stillRunning(r.workerPids)).toEqual([]);
  });

  it("affinity 'spread' puts worker i on the i-th allowed CPU, a list puts every worker on it; priority sets their nice value", async () => {
    const r = await scenario('placement').result();
    const cpu = (i: number) => r.allowed[i % r.allowed.length];
    expect(r.spread['PoolWorker-1']).toMatchObject({ cpus: [cpu(0)], nice: 5 });
    expect(r.spread['PoolWorker-2']).toMatchObject({ cpus: [cpu(1)], nice: 5 });
    expect(Object.values(r.listed).map((p: any) => p.cpus)).toEqual([[r.allowed.at(-1)], [r.allowed.at(-1)]]);
  });

  it('bad options and arguments: a TypeError or RangeError naming the argument; the pool goes on', async () => {
    const r = await scenario('badInput').result();
    expect(r.options).toEqual([
      expect.stringMatching(/^TypeError: .*"options"/),
      expect.stringMatching(/^RangeError: .*"processes"/),
      expect.stringMatching(/^RangeError: .*"processes"/),
      expect.stringMatching(/^TypeError: .*"initializer"/),
      expect.stringMatching(/^TypeError: .*"initargs"/),
      expect.stringMatching(/^TypeError: .*"initargs"/),
      expect.stringMatching(/^RangeError: .*"maxTasksPerChild"/),
      expect.stringMatching(/^TypeError: .*"affinity"/),
      expect.stringMatching(/^RangeError: .*"affinity\[0\]"/),
      expect.stringMatching(/^RangeError: .*"priority"/),
    ]);
    expect(r.calls).toEqual([
      expect.stringMatching(/^TypeError: .*"iterable"/),
      expect.stringMatching(/^RangeError: .*"chunksize"/),
      expect.stringMatching(/^TypeError: .*"fn"/),
      expect.stringMatching(/^TypeError: .*"fn"/),
      expect.stringMatching(/^TypeError: .*"iterable\[0\]"/),
      expect.stringMatching(/^TypeError: .*"args"/),
      expect.stringMatching(/^TypeError: .*"callbacks"/),
      expect.stringMatching(/^TypeError: .*"iterable"/),
      expect.stringMatching(/^RangeError: .*"chunksize"/),
      expect.stringMatching(/^RangeError: .*"timeout"/),
    ]);
    expect(r.after).toEqual([1, 4, 9]);
  });

  it('a pool never closed does not keep its program alive, and its workers end with it', async () => {
    const parent = scenario('unclosed');
    const r = await parent.result(15_000);
    expect(r.value).toEqual([1, 4]);
    expect(await stillRunning([...new Set<number>(r.workerPids)])).toEqual([]);
  });
});
