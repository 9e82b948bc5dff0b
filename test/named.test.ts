import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import {
  listTestShm, shmExists, shmName, spawnChild, useChildren, useShmCleanup,
} from './helpers/children.js';

useChildren();
useShmCleanup();

describe('named primitives shared by unrelated processes', () => {
  it('two children open a Semaphore and an Event by name and signal each other', async () => {
    const name = shmName('pair');
    // Only the name travels: neither child receives a handle from the parent.
    const waiter = spawnChild('named_pair.mjs', { role: 'waiter', name });
    await waiter.waitLine('ready');
    const setter = spawnChild('named_pair.mjs', { role: 'setter', name });
    const [w, s] = await Promise.all([waiter.result(20_000), setter.result(20_000)]);
    expect(w).toEqual({ role: 'waiter', got: true });
    expect(s).toEqual({ role: 'setter', got: true });

    expect(shmExists(`mp.sem.${name}`)).toBe(true);
    expect(shmExists(`mp.event.${name}`)).toBe(true);
    mp.Semaphore.unlink(name);
    mp.Event.unlink(name);
    expect(shmExists(`mp.sem.${name}`)).toBe(false);
    expect(shmExists(`mp.event.${name}`)).toBe(false);
  }, 30_000);

  it('the parent sees the state left by a child through the name', async () => {
    const name = shmName('state');
    const sem = new mp.Semaphore(0, { name });
    const ev = new mp.Event({ name });
    expect(shmExists(`mp.sem.${name}`)).toBe(true);
    // The waiter child waits for the event then releases the semaphore once.
    const waiter = spawnChild('named_pair.mjs', { role: 'waiter', name });
    await waiter.waitLine('ready');
    expect(sem.getValue()).toBe(0);
    ev.set();
    await expect(sem.acquire({ timeout: 10_000 })).resolves.toBe(true);
    expect(await waiter.result()).toEqual({ role: 'waiter', got: true });

    // Opening again by name (open-or-create) finds the existing object, not a fresh one.
    const again = new mp.Event({ name });
    expect(again.isSet()).toBe(true);

    mp.Semaphore.unlink(name);
    mp.Event.unlink(name);
    expect(shmExists(`mp.sem.${name}`)).toBe(false);
    expect(shmExists(`mp.event.${name}`)).toBe(false);
    // Objects already open keep working after the name is gone.
    sem.release();
    expect(sem.getValue()).toBe(1);
    expect(ev.isSet()).toBe(true);
    // A new object with the same name is fresh.
    const fresh = new mp.Semaphore(0, { name });
    expect(fresh.getValue()).toBe(0);
    mp.Semaphore.unlink(name);
    expect(shmExists(`mp.sem.${name}`)).toBe(false);
  }, 30_000);

  it('named Lock: Lock.unlink removes the /dev/shm entry', () => {
    const name = shmName('lock');
    const a = new mp.Lock({ name });
    const b = new mp.Lock({ name });
    expect(a.acquireSync({ block: false })).toBe(true);
    expect(b.acquireSync({ block: false })).toBe(false);
    a.release();
    expect(listTestShm().some((e) => e.endsWith(name))).toBe(true);
    mp.Lock.unlink(name);
    expect(listTestShm().some((e) => e.endsWith(name))).toBe(false);
  });
});
