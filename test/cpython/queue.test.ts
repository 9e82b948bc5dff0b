/**
 * CPython's Lib/test/_test_multiprocessing.py, the Queue cases (_TestQueue, TestSimpleQueue),
 * with real child processes. Python's put(x, block, timeout) and get(block, timeout) map to
 * put()/putSync() and get()/getSync() with `{ timeout }` in ms, and to putNowait()/getNowait()
 * (or `{ block: false }`) where block is False.
 *
 * Skipped, and why:
 * - _TestQueue.test_no_import_lock_contention: Python's import lock and feeder thread.
 * - _TestQueue.test_queue_feeder_on_queue_feeder_error: no feeder thread to hook; an object that cannot travel is refused by put() itself.
 * - _TestQueue.test_shutdown_empty: no Queue.shutdown() (Python 3.13) in the API.
 * - _TestQueue.test_shutdown_nonempty: no Queue.shutdown().
 * - _TestQueue.test_shutdown_immediate: no Queue.shutdown().
 * - _TestQueue.test_shutdown_immediate_with_unfinished: no Queue.shutdown().
 * - TestSimpleQueue.test_closed: private attributes.
 * - TestSyncManagerTypes.test_queue, test_joinable_queue: no Manager yet.
 */
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { rejection, start, thrown, timed, useReaper, waitedAtLeast } from './helpers.js';
import { getSix, markDone, putEmptiness, putTenToNineteen, putTwoToFive } from './targets/queue.mjs';

useReaper();

const TIMEOUT = 100;

describe('_TestQueue', () => {
  it('_TestQueue.test_put', async () => {
    const MAXSIZE = 6;
    const queue = new mp.Queue<number>(MAXSIZE);
    const childCanStart = new mp.Event();
    const parentCanContinue = new mp.Event();
    const proc = start(getSix, [queue, childCanStart, parentCanContinue], { daemon: true });

    expect(queue.empty()).toBe(true);
    expect(queue.full()).toBe(false);

    await queue.put(1);
    queue.putSync(2);
    await queue.put(3, { timeout: undefined });
    queue.putNowait(4);
    queue.putSync(5, { timeout: undefined });
    queue.putNowait(6);

    // No sleep needed: qsize() counts what waits in this process's outbox too.
    expect(queue.empty()).toBe(false);
    expect(queue.full()).toBe(true);

    let t = await timed(() => thrown(() => queue.putNowait(7)));
    expect(t.value).toBeInstanceOf(mp.Full);
    t = await timed(() => rejection(queue.put(7, { timeout: TIMEOUT })));
    expect(t.value).toBeInstanceOf(mp.Full);
    waitedAtLeast(t.ms, TIMEOUT);
    t = await timed(() => thrown(() => queue.putSync(7, { timeout: TIMEOUT })));
    expect(t.value).toBeInstanceOf(mp.Full);
    waitedAtLeast(t.ms, TIMEOUT);

    childCanStart.set();
    expect(await parentCanContinue.wait(20_000)).toBe(true);

    expect(queue.empty()).toBe(true);
    expect(queue.full()).toBe(false);
    await proc.join();
  });

  it('_TestQueue.test_get', async () => {
    const queue = new mp.Queue<number>();
    const childCanStart = new mp.Event();
    const parentCanContinue = new mp.Event();
    const proc = start(putTwoToFive, [queue, childCanStart, parentCanContinue], { daemon: true });

    expect(queue.empty()).toBe(true);
    childCanStart.set();
    expect(await parentCanContinue.wait(20_000)).toBe(true);
    expect(queue.empty()).toBe(false);

    expect(await queue.get({ timeout: undefined })).toBe(2);
    expect(queue.getSync()).toBe(3);
    expect(await queue.get({ timeout: 1000 })).toBe(4);
    expect(queue.getNowait()).toBe(5);

    expect(queue.empty()).toBe(true);

    let t = await timed(() => thrown(() => queue.getNowait()));
    expect(t.value).toBeInstanceOf(mp.Empty);
    // get(False, TIMEOUT2): not blocking wins over the timeout.
    t = await timed(() => thrown(() => queue.getSync({ block: false, timeout: TIMEOUT })));
    expect(t.value).toBeInstanceOf(mp.Empty);
    t = await timed(() => rejection(queue.get({ timeout: TIMEOUT })));
    expect(t.value).toBeInstanceOf(mp.Empty);
    waitedAtLeast(t.ms, TIMEOUT);
    t = await timed(() => thrown(() => queue.getSync({ timeout: TIMEOUT })));
    expect(t.value).toBeInstanceOf(mp.Empty);
    waitedAtLeast(t.ms, TIMEOUT);

    await proc.join();
  });

  it('_TestQueue.test_fork', async () => {
    // Items put before the child starts and items the child puts (from its outbox, before it
    // exits) all arrive, in order.
    const queue = new mp.Queue<number>();
    for (let i = 0; i < 10; i++) await queue.put(i);
    const p = start(putTenToNineteen, [queue], { daemon: true });
    for (let i = 0; i < 20; i++) expect(await queue.get()).toBe(i);
    expect(thrown(() => queue.getNowait())).toBeInstanceOf(mp.Empty);
    await p.join();
  });

  it('_TestQueue.test_qsize', async () => {
    const q = new mp.Queue<number>();
    expect(q.qsize()).toBe(0);
    await q.put(1);
    expect(q.qsize()).toBe(1);
    await q.put(5);
    expect(q.qsize()).toBe(2);
    await q.get();
    expect(q.qsize()).toBe(1);
    await q.get();
    expect(q.qsize()).toBe(0);
  });

  it('_TestQueue.test_task_done', async () => {
    const queue = new mp.JoinableQueue<number | null>();
    const workers = Array.from({ length: 4 }, () => start(markDone, [queue], { daemon: true }));
    for (let i = 0; i < 10; i++) await queue.put(i);
    await queue.join();
    for (const _ of workers) await queue.put(null);
    for (const p of workers) await p.join();
  });

  it('_TestQueue.test_timeout', async () => {
    const q = new mp.Queue();
    let t = await timed(() => rejection(q.get({ timeout: 200 })));
    expect(t.value).toBeInstanceOf(mp.Empty);
    waitedAtLeast(t.ms, 200);
    t = await timed(() => thrown(() => q.getSync({ timeout: 200 })));
    expect(t.value).toBeInstanceOf(mp.Empty);
    waitedAtLeast(t.ms, 200);
  });

  it('_TestQueue.test_queue_feeder_donot_stop_onexc', async () => {
    // What cannot travel is refused by put() itself (it is encoded before it takes a slot),
    // and the queue goes on working; a bounded queue's count stays right (bpo-33078).
    const notSerializable = () => 0;
    let q = new mp.Queue<unknown>();
    expect((await rejection(q.put(notSerializable))).code).toBe('ERR_INVALID_ARG_TYPE');
    await q.put(true);
    expect(await q.get({ timeout: 10_000 })).toBe(true);

    q = new mp.Queue<unknown>(1);
    expect((await rejection(q.put(notSerializable))).code).toBe('ERR_INVALID_ARG_TYPE');
    await q.put(true);
    expect(q.qsize()).toBe(1);
    expect(await q.get({ timeout: 10_000 })).toBe(true);
    expect(q.empty()).toBe(true);
  });

  // CPython lets a closed queue that was never used answer empty() (its close() does nothing
  // until a feeder thread exists); here every closed queue throws, as get() and put() do.
  it('_TestQueue.test_closed_queue_empty_exceptions', async () => {
    for (const q of [new mp.Queue(), new mp.JoinableQueue()]) {
      await q.put('foo');
      q.close();
      await q.joinThread();
      expect(thrown(() => q.empty()).code).toBe('ERR_QUEUE_CLOSED');
      expect(thrown(() => q.qsize()).code).toBe('ERR_QUEUE_CLOSED');
    }
    const unused = new mp.Queue();
    unused.close();
    expect(thrown(() => unused.empty()).code).toBe('ERR_QUEUE_CLOSED');
  });

  it('_TestQueue.test_closed_queue_put_get_exceptions', async () => {
    for (const q of [new mp.Queue(), new mp.JoinableQueue()]) {
      q.close();
      expect((await rejection(q.put('foo'))).code).toBe('ERR_QUEUE_CLOSED');
      expect((await rejection(q.get())).code).toBe('ERR_QUEUE_CLOSED');
    }
  });
});

describe('TestSimpleQueue', () => {
  it('TestSimpleQueue.test_empty_exceptions', () => {
    const q = new mp.SimpleQueue();
    q.close();
    expect(thrown(() => q.empty()).code).toBe('ERR_QUEUE_CLOSED');
  });

  it('TestSimpleQueue.test_empty', async () => {
    const queue = new mp.SimpleQueue<boolean>();
    const childCanStart = new mp.Event();
    const parentCanContinue = new mp.Event();
    const proc = start(putEmptiness, [queue, childCanStart, parentCanContinue], { daemon: true });

    expect(queue.empty()).toBe(true);
    childCanStart.set();
    expect(await parentCanContinue.wait(20_000)).toBe(true);

    expect(queue.empty()).toBe(false);
    expect(await queue.get()).toBe(true);
    expect(await queue.get()).toBe(false);
    expect(queue.empty()).toBe(true);
    await proc.join();
  });

  it('TestSimpleQueue.test_close', () => {
    const queue = new mp.SimpleQueue();
    queue.close();
    // Closing a queue twice does not fail.
    queue.close();
  });
});
