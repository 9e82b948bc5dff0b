import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

useChildren();
useShmCleanup();

type AnyLock = mp.Lock | mp.RLock;

async function killHolder(lock: AnyLock, times = 1): Promise<void> {
  const child = spawnChild('hold_lock.mjs', { lock, times });
  await child.waitLine('held');
  // The child really holds it.
  expect(lock.acquireSync({ block: false })).toBe(false);
  child.kill('SIGKILL');
  const { signal } = await child.exited();
  expect(signal).toBe('SIGKILL');
}

function expectOwnerDead(err: unknown): void {
  expect(err).toBeInstanceOf(mp.OwnerDeadError);
  expect((err as mp.OwnerDeadError).code).toBe('EOWNERDEAD');
}

const kinds: Array<[string, () => AnyLock, number]> = [
  ['Lock', () => new mp.Lock(), 1],
  ['RLock', () => new mp.RLock(), 1],
  ['RLock held recursively (depth 3)', () => new mp.RLock(), 3],
];

describe.each(kinds)('owner death: %s', (_label, make, times) => {
  it('async acquire() rejects with OwnerDeadError, caller holds it, then it works normally', async () => {
    const lock = make();
    await killHolder(lock, times);

    let caught: unknown;
    try {
      await lock.acquire({ timeout: 5000 });
    } catch (err) {
      caught = err;
    }
    expectOwnerDead(caught);
    // The caller now holds the lock and must release it.
    expect(lock.isMine()).toBe(true);
    lock.release();
    expect(lock.isMine()).toBe(false);

    // Normal again: acquire succeeds without error, and a second acquirer is excluded.
    await expect(lock.acquire({ timeout: 1000 })).resolves.toBe(true);
    expect(lock.isMine()).toBe(true);
    lock.release();
    // And it is free again.
    expect(lock.acquireSync({ block: false })).toBe(true);
    lock.release();
  }, 20_000);

  it('acquireSync() throws OwnerDeadError, caller holds it, then it works normally', async () => {
    const lock = make();
    await killHolder(lock, times);

    let caught: unknown;
    try {
      lock.acquireSync({ timeout: 5000 });
    } catch (err) {
      caught = err;
    }
    expectOwnerDead(caught);
    expect(lock.isMine()).toBe(true);
    lock.release();
    expect(lock.isMine()).toBe(false);

    expect(lock.acquireSync({ timeout: 1000 })).toBe(true);
    lock.release();
    expect(lock.acquireSync({ block: false })).toBe(true);
    lock.release();
  }, 20_000);
});

describe('owner death: the recovered lock still excludes other processes', () => {
  it('after recovery a second child can hold it and the parent is excluded', async () => {
    const lock = new mp.Lock();
    await killHolder(lock);
    await expect(lock.acquire({ timeout: 5000 })).rejects.toBeInstanceOf(mp.OwnerDeadError);
    lock.release();

    const second = spawnChild('hold_lock.mjs', { lock, times: 1 });
    await second.waitLine('held');
    expect(lock.acquireSync({ timeout: 100 })).toBe(false);
    await expect(lock.acquire({ timeout: 100 })).resolves.toBe(false);
    second.kill('SIGKILL');
    await second.exited();
    expect(() => lock.acquireSync({ timeout: 5000 })).toThrow(mp.OwnerDeadError);
    lock.release();
  }, 20_000);
});
