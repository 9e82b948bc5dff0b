import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

const scenario = (args: Record<string, unknown>) => spawnChild('backpressure.mjs', args).result(120_000);

// 3,200 messages of 64 KiB: 200 MiB, far more than a ring (256 KiB for a pipe, 1 MiB for a
// queue) and the default highWaterMark (32 MiB) hold. A sender held back at the bound has sent
// at most what they hold, and its memory stays far below what it would have queued otherwise.
const N = 3200;
const MIB = 1024 * 1024;
const MOST_HELD = Math.ceil((32 * MIB + 1 * MIB) / (64 * 1024)) + 16;
const RSS_BOUND_MIB = 160;

describe('backpressure: a sender whose reader is slow, stopped, dead or absent', () => {
  it.each([
    ['pipe', 'send'], ['pipe', 'sendAsync'], ['queue', 'put'], ['queue', 'putSync'],
  ])('nobody reads a %s: %s() is held back at the bound with bounded memory; then all arrive, in order', async (kind, form) => {
    const r = await scenario({ scenario: 'unread', kind, form, n: N });
    expect(r.held).toBeLessThan(N);
    expect(r.held).toBeLessThanOrEqual(MOST_HELD);
    expect(r.rssMiB).toBeLessThan(RSS_BOUND_MIB);
    expect(r).toMatchObject({ inOrder: N, exitCode: 0, sent: N });
  }, 150_000);

  it('the highWaterMark given at creation holds in the child a pipe is sent to', async () => {
    const r = await scenario({ scenario: 'unread', kind: 'pipe', form: 'send', n: 400, options: { highWaterMark: 0 } });
    // highWaterMark 0: a send returns once what it sent is in the ring (a few messages here).
    expect(r.held).toBeLessThan(20);
    expect(r).toMatchObject({ inOrder: 400, exitCode: 0, sent: 400 });
  }, 150_000);

  it.each([['pipe', 'send'], ['queue', 'put']])(
    'a %s reader SIGSTOPped mid-stream: %s() waits with bounded memory, and after SIGCONT all arrive in order',
    async (kind, form) => {
      const n = 1600;
      const r = await scenario({ scenario: 'stopped', kind, form, n });
      expect(r.held).toBeLessThan(n);
      expect(r.held - r.readBefore).toBeLessThanOrEqual(MOST_HELD);
      expect(r.rssMiB).toBeLessThan(RSS_BOUND_MIB);
      expect(r).toMatchObject({ got: n, exitCode: 0, sent: n, error: 0 });
    }, 150_000);

  it.each(['send', 'sendAsync'])('a pipe reader SIGKILLed while %s() waits: the sender gets BrokenPipeError, no hang', async (form) => {
    const r = await scenario({ scenario: 'killed', kind: 'pipe', form, n: 1_000_000 });
    expect(r).toMatchObject({ exitCode: 0, error: 1 });
    expect(r.sent).toBeLessThan(1_000_000);
  }, 150_000);

  it('a queue reader SIGKILLed while putSync() waits: with a timeout the sender gets mp.Full, no hang', async () => {
    const r = await scenario({ scenario: 'killed', kind: 'queue', form: 'putSync', n: 1_000_000, timeout: 1000 });
    expect(r.error).toBe(2);
    expect(r.sent).toBeLessThan(1_000_000);
  }, 150_000);

  it('a thread that sends itself more than the bound before it reads does not wait for itself', async () => {
    const r = await scenario({ scenario: 'selfSend', n: 3000, size: 1024 });
    expect(r).toEqual({ inOrder: 3000 });
  }, 150_000);

  it('a thread that sends with sendAsync() while it reads the echo of a child that send()s back: no deadlock', async () => {
    const r = await scenario({ scenario: 'echoFlood', n: 2000, size: 64 * 1024, options: { highWaterMark: MIB } });
    expect(r).toEqual({ inOrder: 2000, exitCode: 0 });
  }, 150_000);

  it('Pool.imap over an endless input whose consumer stops: input and results stay bounded, then it goes on in order', async () => {
    const r = await scenario({ scenario: 'poolImap' });
    // Results of 256 KiB: about 32 MiB of them are read ahead of the consumer, not 128 chunks per worker.
    expect(r.held).toBeLessThan(200);
    expect(r.parentRssMiB).toBeLessThan(RSS_BOUND_MIB);
    expect(r.workerRssMiB).toBeLessThan(RSS_BOUND_MIB);
    expect(r.inOrder).toBe(1010);
  }, 150_000);

  it('a Pool parent whose event loop is blocked while workers produce big results: the workers stay bounded', async () => {
    const r = await scenario({ scenario: 'poolBlocked' });
    expect(r.workerRssMiB).toBeLessThan(RSS_BOUND_MIB);
    expect(r.parentRssMiB).toBeLessThan(RSS_BOUND_MIB);
    expect(r.inOrder).toBe(1010);
  }, 150_000);
});

describe('backpressure in one process: what a sender past the bound gets', () => {
  const kib = (i: number) => Buffer.alloc(1024, i & 0xff);

  // Puts 1 KiB messages with putNowait() until mp.Full (10,000 at most); returns how many went.
  function fill(q: mp.Queue<Buffer>): number {
    for (let i = 0; i < 10_000; i++) {
      try {
        q.putNowait(kib(i));
      } catch (err) {
        expect(err).toBeInstanceOf(mp.Full);
        return i;
      }
    }
    return 10_000;
  }

  function drain(q: mp.Queue<Buffer>, n: number): number[] {
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push(q.getSync({ timeout: 5000 })[0]!);
    expect(() => q.getNowait()).toThrow(mp.Empty);
    return got;
  }

  const order = (n: number) => Array.from({ length: n }, (_, i) => i & 0xff);

  it('putNowait() throws mp.Full once this process has more than highWaterMark waiting; nothing is lost', () => {
    const q = new mp.Queue<Buffer>(0, { capacity: 4096, highWaterMark: 4096 });
    const n = fill(q);
    // The ring holds 3 of them, the outbox about 4 KiB more.
    expect(n).toBeGreaterThan(3);
    expect(n).toBeLessThan(12);
    expect(q.qsize()).toBe(n);
    expect(drain(q, n)).toEqual(order(n));
  });

  it('put() and putSync() with a timeout past the bound: mp.Full, and that message is not put', async () => {
    const q = new mp.JoinableQueue<Buffer>(0, { capacity: 4096, highWaterMark: 4096 });
    const n = fill(q);
    await expect(q.put(kib(n), { timeout: 20 })).rejects.toBeInstanceOf(mp.Full);
    expect(() => q.putSync(kib(n), { timeout: 20 })).toThrow(mp.Full);
    expect(q.qsize()).toBe(n);
    expect(drain(q, n)).toEqual(order(n));
    for (let i = 0; i < n; i++) q.taskDone();
    await q.join();
    // Room again: the bound is only on what waits.
    await q.put(kib(7), { timeout: 5000 });
    expect(q.getSync({ timeout: 5000 })[0]).toBe(7);
  });

  it('highWaterMark: Infinity never waits (as Python\'s feeder thread); bad values are refused', () => {
    const q = new mp.Queue<number>(0, { capacity: 4096, highWaterMark: Infinity });
    for (let i = 0; i < 50_000; i++) q.putNowait(i);
    let sum = 0;
    for (let i = 0; i < 50_000; i++) sum += q.getSync({ timeout: 5000 });
    expect(sum).toBe((50_000 * 49_999) / 2);
    for (const bad of [-1, 1.5, 2 ** 31]) {
      expect(() => new mp.Queue(0, { highWaterMark: bad })).toThrow(RangeError);
      expect(() => mp.Pipe({ highWaterMark: bad })).toThrow(RangeError);
    }
    expect(() => new mp.Queue(0, { highWaterMark: '1' as never })).toThrow(TypeError);
  });

  it.each([65536, 4096])('a buffer changed after send() while it waits for room arrives as sent (ring of %i bytes)', async (capacity) => {
    // 10,000 bytes: six fit in a 64 KiB ring, the rest wait; through 4 KiB they are streamed.
    const [a, b] = mp.Pipe<Buffer>({ capacity });
    const q = new mp.Queue<Buffer>(0, { capacity });
    const buf = Buffer.alloc(10_000, 1);
    for (let i = 0; i < 8; i++) {
      a.send(buf);
      q.putNowait(buf);
    }
    buf.fill(2);
    for (let i = 0; i < 8; i++) {
      expect((await b.recv()).every((x) => x === 1)).toBe(true);
      expect((await q.get()).every((x) => x === 1)).toBe(true);
    }
  });

  it('sendAsync() to a closed reader rejects with BrokenPipeError, as send() throws it', async () => {
    const [r, w] = mp.Pipe({ duplex: false });
    await w.sendAsync(1);
    expect(await r.recv()).toBe(1);
    r.close();
    await expect(w.sendAsync(2)).rejects.toBeInstanceOf(mp.BrokenPipeError);
    expect(() => w.send(2)).toThrow(mp.BrokenPipeError);
  });
});
