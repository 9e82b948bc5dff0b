// A manager's server facing a hostile peer on a raw socket: garbage, truncated and oversized
// frames, wrong and replayed answers, forged handles, private methods. Each must close (or
// fail) that connection alone: an honest client keeps working throughout.
import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mp from 'multiproc';

export class Target {
  add(x: number, y: number): number { return x + y; }
  _secret(): string { return 'leaked'; }
}

const KEY = 'hostile-test-key';
let serving: mp.ManagerServing;
let address: mp.ManagerAddress;
let honest: mp.BaseManager;

beforeAll(async () => {
  const m = new mp.BaseManager({ address: { host: '127.0.0.1', port: 0 }, authkey: KEY });
  m.register('Target', Target);
  serving = m.getServer();
  void serving.serveForever();
  address = await serving.listening;
  honest = new mp.BaseManager({ address, authkey: KEY });
  honest.register('Target');
  await honest.connect();
});

afterAll(() => serving.stop());

async function stillServes(): Promise<void> {
  const t = await honest.create('Target');
  expect(await t.add!(2, 3)).toBe(5);
}

/** A raw connection that records frames and tells when the server closed it. */
function raw(): { socket: Socket; frames: Buffer[]; closed: Promise<void>; next(): Promise<Buffer> } {
  const socket = connect((address as { port: number }).port, '127.0.0.1');
  const frames: Buffer[] = [];
  let buf = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      frames.push(buf.subarray(4, 4 + buf.readUInt32BE(0)));
      buf = buf.subarray(4 + buf.readUInt32BE(0));
    }
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => { waiters.splice(0).forEach((w) => w()); r(); }));
  let read = 0;
  return {
    socket, frames, closed,
    async next() {
      while (frames.length <= read) {
        if (socket.destroyed) throw new Error('closed');
        await new Promise<void>((r) => waiters.push(r));
      }
      return frames[read++]!;
    },
  };
}

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  return Buffer.concat([head, payload]);
}

const PREFIX = Buffer.from('#MPCHALLENGE1#');

/** Runs the client's half of the handshake honestly; returns the answer it sent. */
async function authenticate(c: ReturnType<typeof raw>, key = KEY): Promise<Buffer> {
  const challenge = await c.next();
  const answer = createHmac('sha256', key).update('client').update(challenge.subarray(PREFIX.length)).digest();
  c.socket.write(frame(answer));
  expect((await c.next()).toString()).toBe('#MPWELCOME#');
  const mine = Buffer.concat([PREFIX, Buffer.alloc(32, 7)]);
  c.socket.write(frame(mine));
  const theirs = await c.next();
  expect(theirs.equals(createHmac('sha256', key).update('server').update(Buffer.alloc(32, 7)).digest())).toBe(true);
  c.socket.write(frame(Buffer.from('#MPWELCOME#')));
  return answer;
}

describe('a manager server under a hostile peer', () => {
  it('closes on garbage before the handshake', async () => {
    const c = raw();
    c.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(300)));
    await c.closed;
    await stillServes();
  });

  it('closes on a 4 GiB length at once, without buffering', async () => {
    const c = raw();
    c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await c.closed;
    await stillServes();
  });

  it('refuses a wrong answer, and a replayed right one', async () => {
    const wrong = raw();
    await wrong.next();
    wrong.socket.write(frame(Buffer.alloc(32, 1)));
    expect((await wrong.next()).toString()).toBe('#MPFAILURE#');
    await wrong.closed;

    const first = raw();
    const answer = await authenticate(first);
    first.socket.destroy();
    const replay = raw();
    await replay.next();
    replay.socket.write(frame(answer));
    expect((await replay.next()).toString()).toBe('#MPFAILURE#');
    await replay.closed;
    await stillServes();
  });

  it('is not fooled by a peer that reflects the server\'s challenge back', async () => {
    const c = raw();
    const challenge = await c.next();
    c.socket.write(frame(challenge));
    expect((await c.next()).toString()).toBe('#MPFAILURE#');
    await c.closed;
  });

  it('survives a truncated frame and a peer that leaves mid-frame', async () => {
    const c = raw();
    await c.next();
    c.socket.write(Buffer.from([0, 0, 0, 32, 1, 2, 3]));
    c.socket.end();
    await c.closed;
    await stillServes();
  });

  it('keeps serving others while a peer sits silent in its handshake', async () => {
    const c = raw();
    await c.next();
    await stillServes();
    c.socket.destroy();
  });

  describe('after authenticating', () => {
    it('closes on a frame that is not a message, and on an oversized one', async () => {
      const c = raw();
      await authenticate(c);
      c.socket.write(frame(Buffer.from('not v8 data at all')));
      await c.closed;
      const d = raw();
      await authenticate(d);
      d.socket.write(Buffer.from([0x04, 0x00, 0x00, 0x01]));
      await d.closed;
      await stillServes();
    });

    it('never rebuilds a forged handle of another type', async () => {
      const c = raw();
      await authenticate(c);
      c.socket.write(frame(mp.serialize([0, 'x'])));
      const forged = { '\u0000multiproc': { type: 'Connection', data: { read: null, write: null } } };
      // The flag that says handles are inside, as serialize() writes it when it made some.
      c.socket.write(frame(v8.serialize([1, [1, 1, 1, 'add', [forged]]])));
      await c.closed;
      await stillServes();
    });

    it('answers private, inherited and unknown methods with ERR_NOT_EXPOSED', async () => {
      const t = await honest.create('Target');
      for (const name of ['_secret', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'nope']) {
        await expect((t as unknown as { callMethod(m: string, a: unknown[]): Promise<unknown> }).callMethod(name, []))
          .rejects.toMatchObject({ code: 'ERR_NOT_EXPOSED' });
      }
      expect((t as Record<string, unknown>)._secret).toBeUndefined();
      await expect(honest.create('__proto__')).rejects.toMatchObject({ name: 'TypeError' });
      await stillServes();
    });

    it('answers calls on ids it never made with ERR_NO_OBJECT', async () => {
      const c = raw();
      await authenticate(c);
      c.socket.write(frame(mp.serialize([0, 'hostile-client'])));
      c.socket.write(frame(mp.serialize([1, 9, 123456, 'add', [1, 2]])));
      const reply = mp.deserialize<[number, number, { code: string }]>(await c.next());
      expect(reply[0]).toBe(9);
      expect(reply[2].code).toBe('ERR_NO_OBJECT');
      c.socket.destroy();
    });
  });
});
