import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { shmExists, shmName, spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

const tri = (n: number) => (n * (n - 1)) / 2;

function family(scenario: string, opts: Record<string, unknown> = {}) {
  return spawnChild('queue_family.mjs', { scenario, ...opts });
}

describe('Queue in one process', () => {
  it('FIFO for every kind of value, qsize/empty, getNowait -> Empty', () => {
    const q = new mp.Queue();
    const values = [1, -0, 2 ** 40, 3.5, 'héllo ✓', '', true, false, null, undefined,
      Buffer.from('buf'), new Uint8Array([1, 2]), { a: [1, { b: 2n }] }, new Map([[1, 2]]), 'x'.repeat(10_000)];
    for (const v of values) q.putNowait(v);
    expect(q.qsize()).toBe(values.length);
    const out = values.map(() => q.getSync());
    expect(out).toEqual(values);
    expect(Object.is(out[1], -0)).toBe(true);
    expect(Buffer.isBuffer(out[10])).toBe(true);
    expect(q.empty()).toBe(true);
    expect(() => q.getNowait()).toThrow(mp.Empty);
  });

  it('byte arrays received inside objects are copies, not views of the ring that later messages overwrite', () => {
    const q = new mp.Queue(0, { capacity: 4096 });
    const got: { b: Buffer; u: Uint16Array }[] = [];
    for (let i = 0; i < 40; i++) {
      q.putNowait({ b: Buffer.alloc(300, i), u: new Uint16Array(50).fill(i) });
      got.push(q.getSync() as { b: Buffer; u: Uint16Array });
    }
    got.forEach(({ b, u }, i) => {
      expect(b.every((x) => x === i)).toBe(true);
      expect(u.every((x) => x === i)).toBe(true);
    });
  });

  it('bounded: putNowait -> Full, put() and get() time out, full()', async () => {
    const q = new mp.Queue<number>(2);
    q.putNowait(1);
    await q.put(2);
    expect(q.full()).toBe(true);
    expect(() => q.putNowait(3)).toThrow(mp.Full);
    await expect(q.put(3, { timeout: 30 })).rejects.toBeInstanceOf(mp.Full);
    expect(() => q.putSync(3, { timeout: 10 })).toThrow(mp.Full);
    expect(await q.get()).toBe(1);
    expect(q.getSync({ timeout: 10 })).toBe(2);
    await expect(q.get({ timeout: 30 })).rejects.toBeInstanceOf(mp.Empty);
    expect(() => q.getSync({ timeout: 10 })).toThrow(mp.Empty);
  });

  it('a pending get() is woken by a put; a pending put() by a get', async () => {
    const q = new mp.Queue<string>(1);
    const pending = q.get();
    await new Promise((r) => setTimeout(r, 20));
    q.putNowait('a');
    expect(await pending).toBe('a');
    q.putNowait('b');
    const put = q.put('c');
    await new Promise((r) => setTimeout(r, 20));
    expect(q.getSync()).toBe('b');
    await put;
    expect(q.getSync()).toBe('c');
  });

  it('messages far larger than the ring are streamed, in order with small ones, without a consumer waiting', async () => {
    const q = new mp.Queue(0, { capacity: 64 * 1024 });
    const big = Buffer.alloc(5 << 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await q.put('before');
    await q.put(big);
    q.putNowait('after');
    expect(await q.get()).toBe('before');
    expect((await q.get() as Buffer).equals(big)).toBe(true);
    expect(await q.get()).toBe('after');
  });

  it('a million small messages pass through a small ring (outbox + pump) exactly', async () => {
    const q = new mp.Queue<number>(0, { capacity: 16 * 1024 });
    const n = 200_000;
    for (let i = 0; i < n; i++) q.putNowait(i);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await q.get();
    expect(sum).toBe(tri(n));
  });

  it('putSync() into a full ring nobody reads waits for a reader once, not for every message', async () => {
    const q = new mp.Queue<number>(0, { capacity: 4096 });
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) q.putSync(i);
    // A wait of up to 50 us per message would take a second.
    expect(performance.now() - t0).toBeLessThan(500);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await q.get();
    expect(sum).toBe(tri(n));
  });

  it('bad input', async () => {
    expect(() => new mp.Queue(-1)).toThrow(RangeError);
    expect(() => new mp.Queue(1.5)).toThrow(RangeError);
    expect(() => new mp.Queue('3' as never)).toThrow(TypeError);
    expect(() => new mp.Queue(0, { capacity: 1001 })).toThrow(RangeError);
    expect(() => new mp.Queue(0, { capacity: 10 })).toThrow(RangeError);
    expect(() => new mp.Queue(0, { name: 'a/b' })).toThrow(RangeError);
    const q = new mp.Queue();
    expect(() => q.putNowait((() => 1) as never)).toThrow(TypeError);
    await expect(q.put(Symbol('s') as never)).rejects.toBeInstanceOf(TypeError);
    await expect(q.get({ timeout: -1 })).rejects.toBeInstanceOf(RangeError);
    expect(() => q.getSync({ block: 'no' as never })).toThrow(TypeError);
    q.close();
    expect(() => q.putNowait(1)).toThrow(expect.objectContaining({ code: 'ERR_QUEUE_CLOSED' }));
  });
});

describe('Queue across processes', () => {
  it('putSync() into a full bounded queue writes the rest of its own stream first (no deadlock)', async () => {
    // The consumer halfway through a streamed message frees no slot until it has the rest, which
    // waits in the producer's outbox: a producer blocked for a slot must write it meanwhile.
    const r = await spawnChild('bounded_streams.mjs', { n: 300 }).result(60_000);
    expect(r).toEqual({ got: 300, intact: 300, exitCode: 0 });
  }, 90_000);

  it('3 producers x 3 consumers: nothing lost or duplicated, order kept per producer', async () => {
    const r = await family('mpmc', { producers: 3, consumers: 3, n: 20_000 }).result(120_000);
    expect(r.exitCodes).toEqual([0, 0, 0, 0, 0, 0]);
    expect(r.count).toBe(60_000);
    expect(r.sums).toEqual({ p0: tri(20_000), p1: tri(20_000), p2: tri(20_000) });
    expect(r.orderOk).toBe(true);
    expect(r.empty).toBe(true);
  }, 150_000);

  it('bounded, small ring, 2 MiB messages streamed among small ones by 2 producers to 2 consumers', async () => {
    const r = await family('mpmc', { producers: 2, consumers: 2, n: 5000, maxsize: 8,
      capacity: 256 * 1024, big: { count: 5, bytes: 2 << 20 } }).result(120_000);
    expect(r.exitCodes).toEqual([0, 0, 0, 0]);
    expect(r.count).toBe(10_000);
    expect(r.sums).toEqual({ p0: tri(5000), p1: tri(5000) });
    expect(r.orderOk).toBe(true);
    expect(r.bigOk).toBe(10);
    expect(r.bigBad).toBe(0);
  }, 150_000);

  it('a consumer killed while waiting does not wedge the queue', async () => {
    const r = await family('killedConsumer').result();
    expect(r.sum).toBe(tri(100));
  });

  it('a producer killed with a message still in its outbox gives its slot of a bounded queue back', async () => {
    const r = await family('killedWithOutbox').result();
    // Counted until the queue is found full; then the dead producer's slot is freed.
    expect(r.before).toBe(5);
    expect(r.first).toBe(0);
    expect(r.secondPut).toBe('ok');
    expect(r.thirdPut).toBe('Full');
    expect(r.after).toBe(5);
    expect(r.rest).toEqual([1, 2, 3, 'a', 'b']);
  });

  it('a producer killed half way through streaming a message: that message is dropped, the queue goes on', async () => {
    const r = await family('killedStreamer').result();
    expect(r).toEqual({ next: 'after', empty: true });
  });

  it('a reader killed just after it moved HEAD and a writer killed just before it moved TAIL, holding their locks', async () => {
    const r = await family('diesPublishing').result(60_000);
    // The reader's message is lost with it; the next reader completes its move, so the count
    // and the bounded queue's free slots stay exact.
    expect(r).toEqual({ readerKilled: -9, afterReader: [2, 1, 3, 0], writerKilled: -9, full: true, afterWriter: [4, 5] });
  }, 90_000);

  it('readers SIGKILLed while taking messages: nothing duplicated or torn, order kept, the count left exact', async () => {
    const r = await family('killedReaders', { rounds: 12 }).result(120_000);
    expect(r).toEqual({ taken: expect.any(Number), left: expect.any(Number), exact: true, bad: 0, lastIsEnd: true, next: 'after' });
    expect(r.taken).toBeGreaterThan(0);
  }, 150_000);

  it('writers SIGKILLed while putting into a small ring: what arrives is intact and in order, the queue goes on', async () => {
    const r = await family('killedWriters', { rounds: 12 }).result(120_000);
    expect(r).toEqual({ readerExit: 0, bad: 0, roundsRead: expect.any(Number), next: 'after' });
    expect(r.roundsRead).toBeGreaterThan(0);
  }, 150_000);

  it('putSync() bursts that overflow the ring into the outbox while a consumer drains it: the pump never stops early', async () => {
    // The race: the pump's first step empties the outbox, then more putSync() calls refill it
    // before that pump ends; nothing may be left unwritten.
    const r = await family('bursts', { bursts: 2000, size: 40 }).result(120_000);
    expect(r).toEqual({ stalledAt: null, received: 2000 * 40 });
  }, 150_000);

  it('JoinableQueue: join() resolves once every item is marked done', async () => {
    const r = await family('joinable').result();
    expect(r).toEqual({ afterJoin: 1000, exitCodes: [0, 0] });
  });

  it('a named queue is shared by unrelated programs and unlinked by name', async () => {
    const name = shmName('q');
    const q = new mp.Queue<number>(0, { name });
    q.putNowait(41);
    const other = new mp.Queue<number>(0, { name });
    expect(other.getSync()).toBe(41);
    expect(shmExists(`mp.lock.queue.${name}.lock`)).toBe(true);
    mp.Queue.unlink(name);
    expect(shmExists(`mp.lock.queue.${name}.lock`)).toBe(false);
    expect(() => mp.Queue.unlink(name)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
