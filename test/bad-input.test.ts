/**
 * Bad input for every constructor and method: a TypeError / RangeError (or another coded error)
 * at the call, naming the argument; a rejected promise from methods that return one; never a
 * crash, a hang, or state left changed. The raw native binding is hammered in a child process,
 * so that a crash fails that test instead of killing the test run.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { SHM_DIR, shmName, spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

type ErrorClass = abstract new (...args: never[]) => Error;

/** A stand-in for what TypeScript users cannot write but JavaScript users can. */
const any = (v: unknown) => v as never;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, but the call returned');
}

function expectError(err: unknown, cls: ErrorClass, code: string, mentions?: string): void {
  expect(err).toBeInstanceOf(cls);
  expect((err as { code?: unknown }).code).toBe(code);
  if (mentions !== undefined) expect((err as Error).message).toContain(mentions);
}

/** `fn` throws `cls` with `code` (and a message naming `mentions`). */
function throwsCoded(fn: () => unknown, cls: ErrorClass, code: string, mentions?: string): void {
  expectError(thrown(fn), cls, code, mentions);
}

/** A SharedMemory name that useShmCleanup() removes even if the test fails half-way. */
const psmName = (label: string) => `psm_${shmName(label)}`;

const throwsType = (fn: () => unknown, mentions?: string) =>
  throwsCoded(fn, TypeError, 'ERR_INVALID_ARG_TYPE', mentions);
const throwsRange = (fn: () => unknown, mentions?: string) =>
  throwsCoded(fn, RangeError, 'ERR_OUT_OF_RANGE', mentions);

/** `fn` returns a promise (it does not throw) and that promise rejects with `cls` and `code`. */
async function rejects(fn: () => unknown, cls: ErrorClass, code: string, mentions?: string) {
  let result: unknown;
  expect(() => { result = fn(); }).not.toThrow();
  expect(result).toBeInstanceOf(Promise);
  let err: unknown;
  await (result as Promise<unknown>).then(
    () => { throw new Error('expected a rejection, but the promise resolved'); },
    (e: unknown) => { err = e; });
  expectError(err, cls, code, mentions);
}

const rejectsType = (fn: () => unknown, mentions?: string) =>
  rejects(fn, TypeError, 'ERR_INVALID_ARG_TYPE', mentions);
const rejectsRange = (fn: () => unknown, mentions?: string) =>
  rejects(fn, RangeError, 'ERR_OUT_OF_RANGE', mentions);

const BAD_NAMES: Array<[unknown, 'type' | 'range']> = [
  ['', 'range'], ['a/b', 'range'], ['/lead', 'range'], ['a\0b', 'range'], ['x'.repeat(201), 'range'],
  ['é'.repeat(101), 'range'], [5, 'type'], [null, 'type'], [{}, 'type'], [Symbol('n'), 'type'],
];

function expectBadName(fn: (name: unknown) => unknown): void {
  for (const [name, kind] of BAD_NAMES) {
    if (kind === 'type') throwsType(() => fn(name), '"name"');
    else throwsRange(() => fn(name), '"name"');
  }
}

const NAMED = {
  Lock: (o: unknown) => new mp.Lock(any(o)),
  RLock: (o: unknown) => new mp.RLock(any(o)),
  Semaphore: (o: unknown) => new mp.Semaphore(1, any(o)),
  BoundedSemaphore: (o: unknown) => new mp.BoundedSemaphore(1, any(o)),
  Event: (o: unknown) => new mp.Event(any(o)),
  Condition: (o: unknown) => new mp.Condition(undefined, any(o)),
  Barrier: (o: unknown) => new mp.Barrier(2, any(o)),
  Value: (o: unknown) => mp.Value('i', 0, any(o)),
  RawValue: (o: unknown) => mp.RawValue('i', 0, any(o)),
  Array: (o: unknown) => mp.Array('i', 2, any(o)),
  RawArray: (o: unknown) => mp.RawArray('i', 2, any(o)),
};

const UNLINK = {
  Lock: mp.Lock.unlink, RLock: mp.RLock.unlink, Semaphore: mp.Semaphore.unlink,
  BoundedSemaphore: mp.BoundedSemaphore.unlink.bind(mp.BoundedSemaphore), Event: mp.Event.unlink,
  Condition: mp.Condition.unlink, Barrier: mp.Barrier.unlink, Value: mp.unlinkValue,
  Array: mp.unlinkArray, SharedMemory: mp.SharedMemory.unlink,
};

describe('the native binding', () => {
  it('survives garbage for every export, method and accessor, throwing coded errors', async () => {
    const child = spawnChild('native_garbage.mjs', { tag: shmName('native') });
    const { code, signal } = await child.exited();
    const last = child.lines.at(-1) ?? '';
    expect({ code, signal, stderr: child.stderr(), last }).toMatchObject({ code: 0, signal: null });
    const { count, wrong } = JSON.parse(last) as { count: number; wrong: unknown[] };
    expect(wrong).toEqual([]);
    expect(count).toBeGreaterThan(900);
  }, 60_000);
});

describe('constructors', () => {
  it('reject options that are not an object and names /dev/shm cannot take', () => {
    for (const make of Object.values(NAMED)) {
      for (const options of [5, 'x', true, null]) throwsType(() => make(options), '"options"');
      expectBadName((name) => make({ name }));
    }
  });

  it('Semaphore and BoundedSemaphore: the value is an integer from 0 to 2^31-1', () => {
    for (const Sem of [mp.Semaphore, mp.BoundedSemaphore]) {
      for (const v of [-1, 1.5, 2 ** 31, NaN, Infinity, -Infinity]) throwsRange(() => new Sem(v), '"value"');
      for (const v of ['1', null, 1n, {}, [1]]) throwsType(() => new Sem(any(v)), '"value"');
      expect(new Sem(0).getValue()).toBe(0);
      expect(new Sem(2 ** 31 - 1).getValue()).toBe(2 ** 31 - 1);
    }
  });

  it('Barrier: parties from 1 to 2^31-1, a function action, a timeout in ms', () => {
    for (const n of [0, -1, 1.5, NaN, Infinity, 2 ** 31]) throwsRange(() => new mp.Barrier(n), '"parties"');
    for (const n of ['2', undefined, null, 2n]) throwsType(() => new mp.Barrier(any(n)), '"parties"');
    for (const action of [5, 'f', {}, null]) {
      throwsType(() => new mp.Barrier(2, { action: any(action) }), '"action"');
    }
    throwsType(() => new mp.Barrier(2, { timeout: any('1') }), '"timeout"');
    for (const t of [-1, NaN, -Infinity]) throwsRange(() => new mp.Barrier(2, { timeout: t }), '"timeout"');
    expect(new mp.Barrier(1).parties).toBe(1);
  });

  it('Condition: the lock is a Lock or an RLock', () => {
    for (const lock of [5, 'l', {}, new mp.Semaphore(), new mp.Event(), mp.Value('i', 0)]) {
      throwsType(() => new mp.Condition(any(lock)), '"lock"');
    }
    expect(new mp.Condition(null).lock).toBeInstanceOf(mp.RLock);
  });

  it('Value and RawValue: typecodes, initial values and the lock option', () => {
    for (const Make of [mp.Value, mp.RawValue]) {
      for (const code of ['x', '', 'ii', 'i ', 'D', 'int', 5, null, undefined, {}]) {
        throwsType(() => Make(any(code)), '"typecode"');
      }
      const cases: Array<[string, unknown, 'type' | 'range']> = [
        ['i', 1.5, 'range'], ['i', 2 ** 31, 'range'], ['i', NaN, 'range'], ['i', '1', 'type'],
        ['i', null, 'type'], ['i', 1n, 'type'], ['I', -1, 'range'], ['b', 128, 'range'],
        ['B', 256, 'range'], ['h', -32769, 'range'], ['H', 1.5, 'range'], ['q', 1.5, 'type'],
        ['q', 2n ** 63n, 'range'], ['Q', -1n, 'range'], ['l', '1', 'type'], ['f', '1', 'type'],
        ['d', 1n, 'type'], ['c', 'ab', 'range'], ['c', 256, 'range'], ['c', 'ā', 'range'],
        ['?', 2, 'type'], ['?', 'true', 'type'],
      ];
      for (const [code, v, kind] of cases) {
        const make = () => Make(code as mp.Typecode, any(v));
        if (kind === 'type') throwsType(make, '"value"');
        else throwsRange(make, '"value"');
      }
    }
    for (const lock of ['x', 1, {}, new mp.Semaphore(), new mp.Event()]) {
      throwsType(() => mp.Value('i', 0, { lock: any(lock) }), '"lock"');
      throwsType(() => mp.Array('i', 1, { lock: any(lock) }), '"lock"');
    }
  });

  it('Array and RawArray: typecodes, lengths, initializers', () => {
    for (const Make of [mp.Array, mp.RawArray]) {
      for (const code of ['x', '', 'ii', 5, null, undefined]) {
        throwsType(() => Make(any(code), 1), '"typecode"');
      }
      for (const n of [-1, 1.5, NaN, Infinity, 2 ** 40]) throwsRange(() => Make('i', n), '"size"');
      throwsRange(() => Make('d', 2 ** 29 + 1), '"size"');
      for (const init of ['123', null, true, { length: 3 }, 5n]) {
        throwsType(() => Make('i', any(init)), '"sizeOrInitializer"');
      }
      throwsType(() => Make('i', [1, 'a']), 'element 1');
      throwsRange(() => Make('i', [1, 2 ** 31]), 'element 1');
      throwsType(() => Make('q', [1n, 1.5]), 'element 1');
      expect(Make<number>('c', 'hi').length).toBe(2);
      expect(Make<number>('i', []).length).toBe(0);
    }
  });

  it('SharedMemory: sizes, flags and names', () => {
    for (const o of [5, 'x', null]) throwsType(() => new mp.SharedMemory(any(o)), '"options"');
    for (const size of [0, -1, 1.5, NaN, Infinity]) throwsRange(() => new mp.SharedMemory({ size }), '"size"');
    for (const size of ['1', undefined, null, 1n]) throwsType(() => new mp.SharedMemory({ size: any(size) }), '"size"');
    throwsType(() => new mp.SharedMemory({ create: any('yes'), size: 1 }), '"create"');
    expectBadName((name) => new mp.SharedMemory({ name: any(name), create: true, size: 8 }));
    expectBadName((name) => new mp.SharedMemory({ name: any(name) }));
    // Attaching needs a name: there is nothing to attach to otherwise.
    throwsType(() => new mp.SharedMemory({ create: false }), '"name"');
    throwsRange(() => new mp.SharedMemory({ name: shmName('a'), size: -1 }), '"size"');
    throwsCoded(() => new mp.SharedMemory({ name: shmName('missing') }), Error, 'ENOENT');
  });

  it('SharedMemory checks every option before it creates anything', () => {
    const name = psmName('track');
    throwsType(() => new mp.SharedMemory({ name, create: true, size: 8, track: any('no') }), '"track"');
    expect(fs.existsSync(`${SHM_DIR}/${name}`)).toBe(false);
  });

  it('SharedMemory over 4 GiB (too large for a Buffer): RangeError, or EFBIG when attaching', async () => {
    const huge = psmName('huge');
    fs.closeSync(fs.openSync(`${SHM_DIR}/${huge}`, 'w'));
    fs.truncateSync(`${SHM_DIR}/${huge}`, 2 ** 33);
    const name = psmName('big');
    const child = spawnChild('shm_sizes.mjs', { name, huge });
    expect(await child.result()).toEqual({
      'create 2^32 + 1': 'RangeError ERR_OUT_OF_RANGE',
      'create 2^46': 'RangeError ERR_OUT_OF_RANGE',
      'create without a name, 2^40': 'RangeError ERR_OUT_OF_RANGE',
      'attach to an 8 GiB segment': 'Error EFBIG',
    });
    expect(fs.existsSync(`${SHM_DIR}/${name}`)).toBe(false);
  });

  it('SharedMemory once closed: buf throws, size is 0, close() and unlink() still work', () => {
    const shm = new mp.SharedMemory({ size: 64 });
    const view = shm.buf;
    shm.close();
    throwsCoded(() => shm.buf, mp.MultiprocError, 'ERR_SHM_CLOSED');
    expect(shm.size).toBe(0);
    expect(view.length).toBe(0);
    shm.close();
    shm.unlink();
    throwsCoded(() => shm.unlink(), Error, 'ENOENT');
  });

  it('unlink(name) of every kind checks the name', () => {
    for (const unlink of Object.values(UNLINK)) {
      expectBadName((name) => unlink(any(name)));
      throwsCoded(() => unlink(shmName('none')), Error, 'ENOENT');
    }
  });
});

describe('methods that return a promise reject, and change nothing', () => {
  it('acquire() with bad options', async () => {
    const cond = new mp.Condition();
    for (const l of [new mp.Lock(), new mp.RLock(), new mp.Semaphore(1), new mp.BoundedSemaphore(1), cond]) {
      await rejectsType(() => l.acquire(any(5)), '"options"');
      await rejectsType(() => l.acquire(any(null)), '"options"');
      await rejectsType(() => l.acquire({ timeout: any('a') }), '"timeout"');
      await rejectsRange(() => l.acquire({ timeout: -1 }), '"timeout"');
      await rejectsRange(() => l.acquire({ timeout: NaN }), '"timeout"');
      expect(l.acquireSync({ block: false })).toBe(true);
      l.release();
    }
  });

  it('withLock() of a non-function, and of a Value or Array without a lock', async () => {
    const locks = [new mp.Lock(), new mp.RLock(), new mp.Semaphore(), new mp.Condition(),
      mp.Value('i', 0), mp.Array('i', 1)];
    for (const l of locks) {
      for (const fn of [undefined, 5, 'f', {}]) await rejectsType(() => l.withLock(any(fn)), '"fn"');
    }
    await rejectsType(() => mp.RawValue('i', 0).withLock(() => 1), 'no lock');
    await rejectsType(() => mp.RawArray('i', 1).withLock(() => 1), 'no lock');
    await rejectsType(() => mp.Value('i', 0, { lock: false }).withLock(() => 1), 'no lock');
    for (const l of locks.slice(0, 4) as Array<mp.Lock | mp.Semaphore>) {
      expect(l.acquireSync({ block: false })).toBe(true);
      l.release();
    }
  });

  it('Event.wait(), Condition.wait() and waitFor(), Barrier.wait() with bad timeouts', async () => {
    const ev = new mp.Event();
    await rejectsType(() => ev.wait(any('1')), '"timeout"');
    await rejectsRange(() => ev.wait(-1), '"timeout"');

    const cond = new mp.Condition();
    cond.acquireSync();
    await rejectsType(() => cond.wait(any('1')), '"timeout"');
    await rejectsRange(() => cond.wait(NaN), '"timeout"');
    await rejectsType(() => cond.waitFor(any(5)), '"predicate"');
    await rejectsRange(() => cond.waitFor(() => false, -5), '"timeout"');
    // Still held once: the bad calls neither released nor re-took it.
    expect(cond.lock.isMine()).toBe(true);
    cond.release();
    expect(cond.lock.isMine()).toBe(false);

    const barrier = new mp.Barrier(2);
    await rejectsType(() => barrier.wait(any({})), '"timeout"');
    await rejectsRange(() => barrier.wait(-Infinity), '"timeout"');
    expect([barrier.nWaiting, barrier.broken]).toEqual([0, false]);
  });
});

describe('blocking methods throw, and change nothing', () => {
  it('acquireSync() with bad options leaves the lock or unit untaken', () => {
    const bad: Array<[unknown, 'type' | 'range']> = [
      [5, 'type'], [null, 'type'], [{ timeout: 'a' }, 'type'], [{ timeout: -1 }, 'range'],
      [{ block: 'no' }, 'type'], [{ block: 1 }, 'type'],
      // A bad timeout is an error even where it would not be used.
      [{ block: false, timeout: 'a' }, 'type'], [{ block: false, timeout: NaN }, 'range'],
    ];
    const lock = new mp.Lock();
    const rlock = new mp.RLock();
    const sem = new mp.Semaphore(1);
    const bsem = new mp.BoundedSemaphore(1);
    for (const l of [lock, rlock, sem, bsem]) {
      for (const [options, kind] of bad) {
        if (kind === 'type') throwsType(() => l.acquireSync(any(options)));
        else throwsRange(() => l.acquireSync(any(options)));
      }
    }
    expect(lock.isMine()).toBe(false);
    expect(rlock.isMine()).toBe(false);
    expect([sem.getValue(), bsem.getValue()]).toEqual([1, 1]);
    // And while already held (the RLock's re-entry, the semaphore's second unit).
    rlock.acquireSync();
    throwsType(() => rlock.acquireSync(any({ timeout: 'a' })));
    rlock.release();
    expect(rlock.isMine()).toBe(false);
  });

  it('waitSync() with bad timeouts', () => {
    const ev = new mp.Event();
    throwsType(() => ev.waitSync(any('1')), '"timeout"');
    throwsRange(() => ev.waitSync(-1), '"timeout"');
    const cond = new mp.Condition();
    cond.acquireSync();
    throwsRange(() => cond.waitSync(NaN), '"timeout"');
    expect(cond.lock.isMine()).toBe(true);
    cond.release();
    const barrier = new mp.Barrier(2);
    throwsType(() => barrier.waitSync(any('1')), '"timeout"');
    expect([barrier.nWaiting, barrier.broken]).toEqual([0, false]);
  });

  it('Condition.notify(n) takes an integer from 0 to 2^32-1', () => {
    const cond = new mp.Condition();
    cond.acquireSync();
    for (const n of [-1, 1.5, NaN, Infinity, 2 ** 32]) throwsRange(() => cond.notify(n), '"n"');
    for (const n of ['1', null, 1n]) throwsType(() => cond.notify(any(n)), '"n"');
    cond.notify(0);
    cond.notify(2 ** 32 - 1);
    cond.release();
  });

  it('Value setters and atomics check what they store', () => {
    const v = mp.Value<number>('i', 7);
    throwsType(() => { v.value = any('8'); }, '"value"');
    throwsRange(() => { v.value = 2 ** 31; }, '"value"');
    throwsType(() => v.add(any(1.5)), 'integer');
    throwsType(() => v.add(any(1n)), 'integer');
    throwsRange(() => v.store(2 ** 40), '"value"');
    throwsType(() => v.compareExchange(7, any('x')), '"replacement"');
    expect(v.value).toBe(7);
    const q = mp.Value('q', 1n);
    throwsType(() => q.add(any(1)), 'bigint');
    throwsType(() => mp.Value('d', 1).add(1), 'integer typecode');
    throwsType(() => mp.Value('?', true).load(), 'integer typecode');
    const c = mp.Array('c', 3);
    throwsRange(() => { (c as unknown as { value: string }).value = 'four'; }, '3');
    throwsType(() => { (mp.Array('i', 3) as unknown as { value: string }).value = 'x'; }, "'c'");
  });

  it('process control: pids, CPU lists and nice values', () => {
    for (const pid of [-1, 1.5, NaN, 2 ** 31]) {
      throwsRange(() => mp.getAffinity(pid), '"pid"');
      throwsRange(() => mp.getPriority(pid), '"pid"');
      throwsRange(() => mp.setAffinity(pid, [0]), '"pid"');
      throwsRange(() => mp.setPriority(pid, 0), '"pid"');
    }
    for (const pid of ['0', null, undefined]) throwsType(() => mp.getAffinity(any(pid)), '"pid"');
    for (const cpus of ['0', 0, null, new Set([0])]) throwsType(() => mp.setAffinity(0, any(cpus)), '"cpus"');
    for (const cpus of [[-1], [1024], [1.5], [0, NaN]]) throwsRange(() => mp.setAffinity(0, cpus), 'cpus[');
    throwsType(() => mp.setAffinity(0, any(['0'])), 'cpus[0]');
    // eslint-disable-next-line no-sparse-arrays
    throwsType(() => mp.setAffinity(0, any([, 0])), 'cpus[0]');
    throwsRange(() => mp.setAffinity(0, []), '"cpus"');
    for (const nice of [-21, 20, 1.5, NaN]) throwsRange(() => mp.setPriority(0, nice), '"nice"');
    throwsType(() => mp.setPriority(0, any('0')), '"nice"');
    throwsCoded(() => mp.getPriority(0x7ffffff0), Error, 'ESRCH');
    throwsCoded(() => mp.getAffinity(0x7ffffff0), Error, 'ESRCH');
    expect(mp.getAffinity(0).length).toBeGreaterThan(0);
  });
});

describe('serialize', () => {
  it('refuses what cannot reach another process', () => {
    throwsType(() => mp.serialize(() => 1), 'function');
    throwsType(() => mp.serialize({ a: [Symbol('s')] }), 'symbol');
    throwsType(() => mp.serialize(new Map([['f', () => 1]])), 'function');
  });
});

describe('deserialize', () => {
  const MARK = '\u0000multiproc';
  /** The handle that serialize() makes for `obj`. */
  const handleOf = (obj: unknown) =>
    structuredClone((v8.deserialize(mp.serialize(obj)) as [number, Record<string, never>])[1][MARK]) as {
      type: string; data: Record<string, any>;
    };
  /** Bytes as serialize() would make them for this (possibly forged) handle. */
  const bytesOf = (handle: unknown) => v8.serialize([1, { [MARK]: handle }]);
  const invalid = (bytes: Uint8Array, mentions?: string) =>
    throwsCoded(() => mp.deserialize(bytes), TypeError, 'ERR_INVALID_ARG_VALUE', mentions);

  it('takes bytes only', () => {
    for (const b of ['x', 5, null, undefined, {}, [1, 2]]) throwsType(() => mp.deserialize(any(b)), '"buffer"');
  });

  it('of random, empty, foreign or truncated bytes throws ERR_INVALID_ARG_VALUE', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(Array.from({ length: i % 64 }, random));
      if (i % 3 === 0 && bytes.length > 0) bytes[0] = 0xff; // a V8 header now and then
      invalid(bytes);
    }
    invalid(Buffer.alloc(0));
    for (const foreign of [5, 'x', [], [2, 1], [0], { a: 1 }, [0, 1, 2]]) invalid(v8.serialize(foreign));
    const whole = mp.serialize({ lock: new mp.Lock(), n: [1, 2, 3], s: 'text' });
    for (let n = 0; n < whole.length; n++) invalid(whole.subarray(0, n));
  });

  it('of forged handles throws ERR_INVALID_ARG_VALUE instead of attaching to random memory', () => {
    const lock = new mp.Lock();
    const h = handleOf(lock);
    const forge = (edit: (h: { type: string; data: Record<string, any> }) => void) => {
      const f = structuredClone(h);
      edit(f);
      return bytesOf(f);
    };
    for (const handle of [null, 5, 'Lock', {}, { type: 5 }, { type: 'Nope', data: {} }]) {
      invalid(bytesOf(handle), 'invalid multiproc handle');
    }
    invalid(forge((f) => { f.data = any(null); }));
    invalid(forge((f) => { f.data.p = null; }));
    for (const offset of [-8, 1.5, '272', 2 ** 32, null]) invalid(forge((f) => { f.data.p.offset = offset; }));
    invalid(forge((f) => { f.data.p.lockOffset = 'x'; }));
    invalid(forge((f) => { f.data.p.source = null; }));
    invalid(forge((f) => { f.data.p.source.kind = 'other'; }));
    invalid(forge((f) => { f.data.p.source.id = 'abc'; }));
    invalid(forge((f) => { f.data.p.source.holders = []; }));
    invalid(forge((f) => { f.data.p.source.holders = [[-1, 3]]; }));
    invalid(forge((f) => { f.data.p.source.holders = [[process.pid, 'x']]; }));
    invalid(forge((f) => { f.data.p.source.holders = Array(4).fill([process.pid, 3]); }));
    // The offset of another object, or inside one, in the same arena.
    const value = mp.Value('i', 5);
    const other = handleOf(value).data.p;
    invalid(forge((f) => { f.data.p.offset = other.offset; }), 'no Lock');
    invalid(forge((f) => { f.data.p.offset += 8; }), 'no Lock');
    invalid(forge((f) => { f.data.p.offset = 0; }), 'no Lock');
    invalid(forge((f) => { f.type = 'Event'; }), 'no Event');
    invalid(forge((f) => { f.type = 'RLock'; }), 'no RLock');
    // An embedded lock must sit right before its object.
    invalid(forge((f) => { f.data.p.lockOffset = f.data.p.offset - 64; }), 'embedded RLock');
    // A segment id that no holder has: the descriptor there is another segment.
    const stale = forge((f) => { f.data.p.source.id = 'ab'.repeat(16); });
    throwsCoded(() => mp.deserialize(stale), mp.MultiprocError, 'ESTALE');
    // The genuine handle still works, and the forged ones touched nothing.
    const back = mp.deserialize<{ lock: mp.Lock }>(mp.serialize({ lock }));
    expect(back.lock.acquireSync({ block: false })).toBe(true);
    expect(lock.isMine()).toBe(true);
    lock.release();
    expect(value.value).toBe(5);
  });

  it('of forged Value, Array, Semaphore and Condition handles', () => {
    const v = mp.Value('i', 5);
    const hv = handleOf(v);
    const forge = (h: { type: string; data: Record<string, any> }, edit: (d: Record<string, any>) => void) => {
      const f = structuredClone(h);
      edit(f.data);
      return bytesOf(f);
    };
    invalid(forge(hv, (d) => { d.length = 1000; }), 'length');
    invalid(forge(hv, (d) => { d.code = 'I'; }), 'typecode');
    invalid(forge(hv, (d) => { d.ownLock = false; }), 'lock');
    throwsType(() => mp.deserialize(forge(hv, (d) => { d.code = 'x'; })), '"typecode"');
    const ha = handleOf(mp.Array('d', 4));
    invalid(forge(ha, (d) => { d.length = 5; }));
    const lockHandle = handleOf(new mp.Event());
    const shared = handleOf(mp.Value('i', 1, { lock: new mp.Lock() }));
    invalid(forge(shared, (d) => { d.lock = lockHandle; }), 'not a Lock or an RLock');
    const bsem = handleOf(new mp.BoundedSemaphore(1));
    invalid(bytesOf({ ...bsem, type: 'Semaphore' }), 'no Semaphore');
    const cond = handleOf(new mp.Condition(new mp.Lock()));
    invalid(forge(cond, (d) => { d.extra = lockHandle; }), 'not a Lock or an RLock');
    throwsType(() => mp.deserialize(forge(handleOf(new mp.Barrier(2)), (d) => { d.extra = 'x'; })), '"timeout"');
    expect(mp.deserialize<mp.SharedValue>(mp.serialize(v)).value).toBe(5);
  });
});
