import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { sleep, spawnChild, useChildren, useShmCleanup, type Child } from './helpers/children.js';

useChildren();
useShmCleanup();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('Semaphore', () => {
  it('acquire() and acquireSync() time out with false', async () => {
    const sem = new mp.Semaphore(0);
    let t0 = performance.now();
    await expect(sem.acquire({ timeout: 100 })).resolves.toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    t0 = performance.now();
    expect(sem.acquireSync({ timeout: 100 })).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(sem.acquireSync({ block: false })).toBe(false);
    expect(sem.getValue()).toBe(0);
  });

  it('counts: release raises the value, acquire lowers it', async () => {
    const sem = new mp.Semaphore(2);
    expect(sem.getValue()).toBe(2);
    await expect(sem.acquire({ timeout: 100 })).resolves.toBe(true);
    expect(sem.acquireSync({ block: false })).toBe(true);
    expect(sem.getValue()).toBe(0);
    expect(sem.acquireSync({ block: false })).toBe(false);
    sem.release();
    sem.release();
    sem.release(); // a plain Semaphore may go above its initial value
    expect(sem.getValue()).toBe(3);
  });

  it('a pending timed acquire() is woken by a release', async () => {
    const sem = new mp.Semaphore(0);
    const pending = sem.acquire({ timeout: 5000 });
    setTimeout(() => sem.release(), 50);
    await expect(pending).resolves.toBe(true);
    expect(sem.getValue()).toBe(0);
  });

  it('BoundedSemaphore over-release throws ReleaseError and leaves the value unchanged', () => {
    const sem = new mp.BoundedSemaphore(2);
    expect(sem.acquireSync()).toBe(true);
    sem.release();
    expect(sem.getValue()).toBe(2);
    let caught: unknown;
    try { sem.release(); } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(mp.ReleaseError);
    expect(caught).toBeInstanceOf(mp.MultiprocError);
    expect((caught as mp.ReleaseError).code).toBe('ERR_RELEASED_TOO_MANY_TIMES');
    expect(sem.getValue()).toBe(2);
  });
});

describe('Event', () => {
  it('wait() times out with false, then returns true once set; clear() resets it', async () => {
    const ev = new mp.Event();
    expect(ev.isSet()).toBe(false);
    const t0 = performance.now();
    await expect(ev.wait(100)).resolves.toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(ev.waitSync(50)).toBe(false);

    const pending = ev.wait(5000);
    setTimeout(() => ev.set(), 50);
    await expect(pending).resolves.toBe(true);
    expect(ev.isSet()).toBe(true);
    await expect(ev.wait(0)).resolves.toBe(true);
    expect(ev.waitSync(0)).toBe(true);

    ev.clear();
    expect(ev.isSet()).toBe(false);
    expect(ev.waitSync(20)).toBe(false);
  });
});

describe('Condition', () => {
  it('notify() without holding the lock throws ERR_NOT_OWNER', () => {
    const cond = new mp.Condition();
    expect(codeOf(() => cond.notify())).toBe('ERR_NOT_OWNER');
    expect(codeOf(() => cond.notifyAll())).toBe('ERR_NOT_OWNER');
  });

  it('wait() times out with false and waitFor() returns the predicate value', async () => {
    const cond = new mp.Condition(new mp.Lock());
    await cond.acquire();
    await expect(cond.wait(50)).resolves.toBe(false);
    await expect(cond.waitFor(() => 0, 50)).resolves.toBe(0);
    await expect(cond.waitFor(() => 'yes', 50)).resolves.toBe('yes');
    cond.release();
  });

  it('notify(2) with 4 waiting children wakes exactly 2; notifyAll() wakes the rest', async () => {
    const cond = new mp.Condition();
    const kids: Child[] = [];
    for (let id = 0; id < 4; id++) kids.push(spawnChild('cond_wait.mjs', { cond, id }));
    await Promise.all(kids.map((k) => k.waitLine('waiting')));
    // Each child printed 'waiting' while holding the lock and releases it only inside wait(),
    // so once we get the lock all four are queued.
    await cond.acquire();
    cond.notify(2);
    cond.release();

    const woke = () => kids.filter((k) => k.lines.some((l) => l.startsWith('woke'))).length;
    // Two wake (however slowly a loaded machine runs them), and no third meanwhile.
    while (woke() < 2) await sleep(20);
    await sleep(300);
    expect(woke()).toBe(2);

    await cond.acquire();
    cond.notifyAll();
    cond.release();
    const results = await Promise.all(kids.map((k) => k.result(10_000)));
    expect(results.map((r) => r.signalled)).toEqual([true, true, true, true]);
    expect(results.map((r) => r.id).sort()).toEqual([0, 1, 2, 3]);
  }, 30_000);
});

describe('Barrier', () => {
  it('3 children pass a Barrier(3) with distinct indices', async () => {
    const barrier = new mp.Barrier(3);
    expect(barrier.parties).toBe(3);
    const kids = [0, 1, 2].map(() => spawnChild('barrier_wait.mjs', { barrier }));
    const results = await Promise.all(kids.map((k) => k.result(15_000)));
    expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2]);
    expect(barrier.broken).toBe(false);
    expect(barrier.nWaiting).toBe(0);
  }, 30_000);

  it('abort() breaks current and future waiters until reset()', async () => {
    const barrier = new mp.Barrier(3);
    const kids = [0, 1].map(() => spawnChild('barrier_wait.mjs', { barrier }));
    await Promise.all(kids.map((k) => k.waitLine('arriving')));
    for (let i = 0; i < 100 && barrier.nWaiting < 2; i++) await sleep(20);
    expect(barrier.nWaiting).toBe(2);

    barrier.abort();
    const results = await Promise.all(kids.map((k) => k.result(10_000)));
    for (const r of results) expect(r).toEqual({ error: 'BrokenBarrierError', code: 'ERR_BROKEN_BARRIER', broken: true });
    expect(barrier.broken).toBe(true);
    // Future waiters fail at once while broken.
    await expect(barrier.wait(1000)).rejects.toBeInstanceOf(mp.BrokenBarrierError);
    expect(() => barrier.waitSync(1000)).toThrow(mp.BrokenBarrierError);

    barrier.reset();
    expect(barrier.broken).toBe(false);
    expect(barrier.nWaiting).toBe(0);
    // Usable again: two children plus the parent pass it.
    const again = [0, 1].map(() => spawnChild('barrier_wait.mjs', { barrier }));
    const mine = await barrier.wait(10_000);
    const theirs = await Promise.all(again.map((k) => k.result(10_000)));
    expect([mine, ...theirs.map((r) => r.index)].sort()).toEqual([0, 1, 2]);
  }, 30_000);

  it('reset() while children wait gives them BrokenBarrierError and leaves it usable', async () => {
    const barrier = new mp.Barrier(2);
    const kid = spawnChild('barrier_wait.mjs', { barrier });
    await kid.waitLine('arriving');
    for (let i = 0; i < 100 && barrier.nWaiting < 1; i++) await sleep(20);
    expect(barrier.nWaiting).toBe(1);
    barrier.reset();
    expect(await kid.result()).toMatchObject({ code: 'ERR_BROKEN_BARRIER' });
    expect(barrier.broken).toBe(false);
    const kid2 = spawnChild('barrier_wait.mjs', { barrier });
    const mine = await barrier.wait(10_000);
    const { index } = await kid2.result();
    expect([mine, index].sort()).toEqual([0, 1]);
  }, 30_000);

  it('a wait() timeout breaks the barrier', async () => {
    const barrier = new mp.Barrier(2);
    await expect(barrier.wait(50)).rejects.toBeInstanceOf(mp.BrokenBarrierError);
    expect(barrier.broken).toBe(true);
    barrier.reset();
    expect(barrier.broken).toBe(false);
  });

  it('the action runs once per pass', async () => {
    let runs = 0;
    const barrier = new mp.Barrier(1, { action: () => { runs++; } });
    await expect(barrier.wait()).resolves.toBe(0);
    expect(barrier.waitSync()).toBe(0);
    expect(runs).toBe(2);
  });
});

describe('no wait sleeps through the change it waits for', () => {
  // SIGSTOPs `child` and waits until the whole process is stopped.
  async function stopped(child: Child): Promise<void> {
    child.kill('SIGSTOP');
    while (!/\) T/.test(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8'))) await sleep(5);
  }

  it('Barrier: abort() right after reset() frees every party, sync and async (2,000 rounds)', async () => {
    // Parties of a Barrier(3) that never fills: each round the controller resets it, lets the
    // parties arrive for a random 0-150 us, and aborts it. A party that checked `broken` just
    // before the abort and then slept used to sleep through it, until its 20 s timeout.
    const rounds = 2000;
    const barrier = new mp.Barrier(3);
    const go = new mp.Semaphore(0);
    const done = new mp.Semaphore(0);
    const kids = ['sync', 'async'].map((mode) => spawnChild('barrier_abort_party.mjs',
      { barrier, go, done, rounds, mode }));
    let stuck = -1;
    for (let r = 0; r < rounds && stuck < 0; r++) {
      barrier.reset();
      go.release();
      go.release();
      const until = performance.now() + Math.random() * 0.15;
      while (performance.now() < until) { /* let the parties arrive */ }
      barrier.abort();
      // Both parties must come out of this round; 10 s is only there to fail instead of hanging.
      if (!done.acquireSync({ timeout: 10_000 }) || !done.acquireSync({ timeout: 10_000 })) stuck = r;
    }
    expect(stuck).toBe(-1);
    const results = await Promise.all(kids.map((k) => k.result()));
    for (const r of results) expect(r).toEqual({ broken: rounds, timedOut: 0, passed: 0 });
  }, 120_000);

  it('Barrier: a party that wakes late learns its generation broke, after later resets', async () => {
    const barrier = new mp.Barrier(2);
    const late = spawnChild('barrier_wait.mjs', { barrier, timeout: 20_000 });
    await late.waitLine('arriving');
    while (barrier.nWaiting < 1) await sleep(10);
    await stopped(late);
    // Its generation is aborted; then another generation breaks too, and one passes.
    barrier.abort();
    barrier.reset();
    const other = spawnChild('barrier_wait.mjs', { barrier, timeout: 20_000 });
    while (barrier.nWaiting < 1) await sleep(10);
    barrier.reset();
    expect(await other.result()).toMatchObject({ broken: true });
    const passer = spawnChild('barrier_wait.mjs', { barrier, timeout: 20_000 });
    await expect(barrier.wait(20_000)).resolves.toBeGreaterThanOrEqual(0);
    expect(await passer.result()).toHaveProperty('index');
    late.kill('SIGCONT');
    expect(await late.result()).toEqual({ error: 'BrokenBarrierError', code: 'ERR_BROKEN_BARRIER', broken: true });
  }, 40_000);

  it('Event: set() then clear() at once ends a wait begun before', async () => {
    const ev = new mp.Event();
    const child = spawnChild('event_wait.mjs', { ev, timeout: 20_000 });
    await child.waitLine('waiting');
    // Stopped while it sleeps, it can only look again once the flag is clear once more.
    await sleep(200);
    await stopped(child);
    ev.set();
    ev.clear();
    child.kill('SIGCONT');
    expect(await child.result()).toEqual({ woke: true });
    expect(ev.isSet()).toBe(false);
  }, 40_000);
});

describe('async waits do not block the event loop', () => {
  it('200 pending acquire()s on a held lock while a setInterval keeps firing', async () => {
    const lock = new mp.Lock();
    expect(lock.acquireSync()).toBe(true);
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 10);
    try {
      let inside = 0;
      let maxInside = 0;
      let granted = 0;
      const pending = Array.from({ length: 200 }, () =>
        lock.acquire({ timeout: 20_000 }).then((ok) => {
          if (!ok) return ok;
          inside++;
          maxInside = Math.max(maxInside, inside);
          granted++;
          inside--;
          lock.release();
          return ok;
        }));
      await sleep(300);
      expect(granted).toBe(0);
      expect(ticks).toBeGreaterThanOrEqual(10);

      const before = ticks;
      lock.release();
      const all = await Promise.all(pending);
      expect(all.every((ok) => ok === true)).toBe(true);
      expect(granted).toBe(200);
      expect(maxInside).toBe(1);
      await sleep(100);
      expect(ticks).toBeGreaterThan(before);
      // Free at the end.
      expect(lock.acquireSync({ block: false })).toBe(true);
      lock.release();
    } finally {
      clearInterval(timer);
    }
  }, 30_000);
});
