// A process that dies holding a Lock or RLock: the next acquirer gets the lock. By default the
// acquire succeeds, says so on the logger and sets `ownerDied` until the release, so that the
// usual `acquireSync(); try { … } finally { release(); }` never leaves a live process holding it
// behind a throw; `{ ownerDead: 'throw' }` throws OwnerDeadError with the lock held instead.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as mp from 'multiproc';
import { spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

type AnyLock = mp.Lock | mp.RLock;

/** Has a child take `lock` (`times` deep), SIGKILLs it, and checks the lock is still held. */
async function killHolder(lock: unknown, times = 1): Promise<void> {
  const child = spawnChild('hold_lock.mjs', { lock, times });
  await child.waitLine('held');
  const probe = lock instanceof mp.Condition || lock instanceof mp.Lock || lock instanceof mp.RLock
    ? lock : (lock as mp.SharedValue).getLock();
  expect(probe.acquireSync({ block: false })).toBe(false);
  child.kill('SIGKILL');
  const { signal } = await child.exited();
  expect(signal).toBe('SIGKILL');
}

/** Captures what the library writes on stderr during each test. */
function captureStderr(): () => string {
  let text = '';
  beforeEach(() => {
    text = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    });
  });
  afterEach(() => { vi.restoreAllMocks(); });
  return () => text;
}

function expectOwnerDead(err: unknown): void {
  expect(err).toBeInstanceOf(mp.OwnerDeadError);
  expect((err as mp.OwnerDeadError).code).toBe('EOWNERDEAD');
}

/** Normal again: acquired without a flag, and free after release. */
async function expectNormal(lock: AnyLock): Promise<void> {
  await expect(lock.acquire({ timeout: 1000 })).resolves.toBe(true);
  expect(lock.ownerDied).toBe(false);
  lock.release();
  expect(lock.acquireSync({ block: false })).toBe(true);
  lock.release();
}

const kinds: Array<[string, (o?: mp.LockOptions) => AnyLock, number]> = [
  ['Lock', (o) => new mp.Lock(o), 1],
  ['RLock', (o) => new mp.RLock(o), 1],
  ['RLock held recursively (depth 3)', (o) => new mp.RLock(o), 3],
];

describe.each(kinds)('owner death: %s', (_label, make, times) => {
  const logged = captureStderr();

  it('async acquire() resolves true holding it, with ownerDied and a warning', async () => {
    const lock = make();
    expect(lock.ownerDead).toBe('recover');
    await killHolder(lock, times);
    await expect(lock.acquire({ timeout: 5000 })).resolves.toBe(true);
    expect(lock.isMine()).toBe(true);
    expect(lock.ownerDied).toBe(true);
    expect(logged()).toMatch(/\[WARNING\/MainProcess\] the previous holder of a \w*Lock died holding it/);
    lock.release();
    expect(lock.ownerDied).toBe(false);
    expect(lock.isMine()).toBe(false);
    await expectNormal(lock);
  }, 20_000);

  it('the try/finally idiom around acquireSync() never leaves the lock held', async () => {
    const lock = make();
    await killHolder(lock, times);
    let sawFlag = false;
    expect(lock.acquireSync({ timeout: 5000 })).toBe(true);
    try {
      sawFlag = lock.ownerDied;
    } finally {
      lock.release();
    }
    expect(sawFlag).toBe(true);
    expect(lock.ownerDied).toBe(false);
    await expectNormal(lock);
  }, 20_000);

  it("{ ownerDead: 'throw' }: acquire() rejects and acquireSync() throws OwnerDeadError, lock held", async () => {
    const lock = make({ ownerDead: 'throw' });
    await killHolder(lock, times);
    let caught: unknown;
    try {
      await lock.acquire({ timeout: 5000 });
    } catch (err) {
      caught = err;
    }
    expectOwnerDead(caught);
    expect(lock.isMine()).toBe(true);
    expect(lock.ownerDied).toBe(true);
    lock.release();
    await expectNormal(lock);

    await killHolder(lock, times);
    expect(() => lock.acquireSync({ timeout: 5000 })).toThrow(mp.OwnerDeadError);
    expect(lock.isMine()).toBe(true);
    lock.release();
    await expectNormal(lock);
  }, 30_000);

  it('withLock() runs the function holding it; with ownerDead: throw it rejects and releases', async () => {
    const lock = make();
    await killHolder(lock, times);
    const ran = await lock.withLock(() => ({ held: lock.isMine(), died: lock.ownerDied }));
    expect(ran).toEqual({ held: true, died: true });
    expect(lock.isMine()).toBe(false);

    const strict = make({ ownerDead: 'throw' });
    await killHolder(strict, times);
    const fn = vi.fn();
    await expect(strict.withLock(fn)).rejects.toBeInstanceOf(mp.OwnerDeadError);
    expect(fn).not.toHaveBeenCalled();
    expect(strict.isMine()).toBe(false);
    await expectNormal(strict);
  }, 30_000);
});

describe('owner death: the policy and what it covers', () => {
  captureStderr();

  it('the ownerDead policy travels with the lock; bad values are a RangeError', () => {
    const strict = mp.deserialize<mp.Lock>(mp.serialize(new mp.Lock({ ownerDead: 'throw' })));
    expect(strict.ownerDead).toBe('throw');
    expect(mp.deserialize<mp.RLock>(mp.serialize(new mp.RLock())).ownerDead).toBe('recover');
    expect(() => new mp.Lock({ ownerDead: 'ignore' as never })).toThrow(RangeError);
    expect(() => new mp.RLock({ ownerDead: 1 as never })).toThrow(/ownerDead/);
  });

  it('a Condition over a lock whose holder died: acquire() gets it', async () => {
    const lock = new mp.RLock();
    const cond = new mp.Condition(lock);
    await killHolder(lock);
    await expect(cond.acquire({ timeout: 5000 })).resolves.toBe(true);
    expect(lock.ownerDied).toBe(true);
    cond.notifyAll();
    cond.release();
    expect(lock.ownerDied).toBe(false);
  }, 20_000);

  it("a Value's getLock() whose holder died: acquireSync() gets it", async () => {
    const v = mp.Value('i', 7);
    await killHolder(v);
    expect(v.getLock().acquireSync({ timeout: 5000 })).toBe(true);
    expect(v.getLock().ownerDied).toBe(true);
    v.value += 1;
    v.getLock().release();
    expect(v.value).toBe(8);
  }, 20_000);

  it('after recovery a second child can hold it and the parent is excluded', async () => {
    const lock = new mp.Lock();
    await killHolder(lock);
    await expect(lock.acquire({ timeout: 5000 })).resolves.toBe(true);
    lock.release();

    const second = spawnChild('hold_lock.mjs', { lock, times: 1 });
    await second.waitLine('held');
    expect(lock.acquireSync({ timeout: 100 })).toBe(false);
    await expect(lock.acquire({ timeout: 100 })).resolves.toBe(false);
    second.kill('SIGKILL');
    await second.exited();
    expect(lock.acquireSync({ timeout: 5000 })).toBe(true);
    expect(lock.ownerDied).toBe(true);
    lock.release();
  }, 20_000);
});
