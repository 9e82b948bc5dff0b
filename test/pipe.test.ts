import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

const family = (scenario: string) => spawnChild('pipe_family.mjs', { scenario });

describe('Pipe', () => {
  it('a thread that sends itself more than the ring holds, then blocks reading, gets it all', () => {
    const [a, b] = mp.Pipe<number>({ capacity: 4096 });
    const n = 20_000;
    for (let i = 0; i < n; i++) a.send(i);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += b.recvSync({ timeout: 5000 });
    expect(sum).toBe((n * (n - 1)) / 2);
  });

  it('duplex in one process: both ends send and receive, poll() says when something is there', async () => {
    const [a, b] = mp.Pipe<unknown>();
    expect(await b.poll()).toBe(false);
    a.send({ x: 1 });
    expect(await b.poll(100)).toBe(true);
    expect(await b.recv()).toEqual({ x: 1 });
    b.send('back');
    expect(a.recvSync()).toBe('back');
    a.sendBytes(Buffer.from('hello world'), 6, 5);
    expect((await b.recvBytes()).toString()).toBe('world');
    await expect(b.recv({ timeout: 20 })).rejects.toBeInstanceOf(mp.Empty);
  });

  it('one-way: [reader, writer]; the wrong direction and a closed end throw; EOF after close', async () => {
    const [r, w] = mp.Pipe({ duplex: false });
    expect(() => r.send(1)).toThrow(expect.objectContaining({ code: 'ERR_NOT_WRITABLE' }));
    await expect(w.recv()).rejects.toMatchObject({ code: 'ERR_NOT_READABLE' });
    w.send(1);
    w.close();
    expect(() => w.send(2)).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    expect(await r.recv()).toBe(1);
    await expect(r.recv()).rejects.toBeInstanceOf(mp.EOFError);
    expect(() => r.recvSync()).toThrow(mp.EOFError);
  });

  it('sending to an end closed for good throws BrokenPipeError (EPIPE)', () => {
    const [r, w] = mp.Pipe({ duplex: false });
    w.send(1);
    r.close();
    expect(() => w.send(2)).toThrow(mp.BrokenPipeError);
    expect(() => w.sendBytes(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'EPIPE' }));
  });

  it('bad input', () => {
    expect(() => mp.Pipe({ duplex: 1 as never })).toThrow(TypeError);
    expect(() => mp.Pipe({ capacity: 10 })).toThrow(RangeError);
    const [a] = mp.Pipe();
    expect(() => a.sendBytes('x' as never)).toThrow(TypeError);
    expect(() => a.sendBytes(Buffer.alloc(4), 5)).toThrow(RangeError);
  });

  it('a child echoes small and 300 KB messages over a duplex pipe passed as an argument', async () => {
    const r = await family('echo').result();
    expect(r.small).toEqual([1, 'two', { three: [3] }]);
    expect(r.bigOk).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it('the reader gets everything sent, then EOF once the child closed its end', async () => {
    const r = await family('eof').result();
    expect(r).toEqual({ got: ['a', 'b', 'raw'], eof: 'ERR_EOF', eofSync: 'ERR_EOF' });
  });

  it('a writer that closes with messages still waiting for room: all arrive before the EOF', async () => {
    const r = await family('closeWithBacklog').result();
    expect(r).toEqual({ count: 5000, sum: (5000 * 4999) / 2, end: 'ERR_EOF' });
  });

  it('the reader gets EOF when the child holding the only other copy is killed before it starts', async () => {
    const r = await family('killedBeforeStart').result();
    expect(r).toEqual({ afterKill: 'ERR_EOF' });
  });

  it('the reader gets EOF when the only writer is SIGKILLed', async () => {
    const r = await family('killed').result();
    expect(r).toEqual({ pollBefore: false, afterKill: 'ERR_EOF' });
  });

  it('a SIGKILLed reader: sending fails once the ring is full, nothing waits for room, the sender exits', async () => {
    const r = await family('readerKilled').result();
    expect(r).toEqual({ sendError: { name: 'BrokenPipeError', code: 'EPIPE' }, recvSync: 'ERR_EOF' });
  });
});
