/**
 * What the ports of CPython's Lib/test/_test_multiprocessing.py share: reaping what a test
 * started, CPython's assertReachesEventually, its TimingWrapper, and its exit-code checks.
 * Children are real mp.Process children of the test process; their targets live in
 * test/cpython/targets/, one module per area.
 */
import { afterAll, afterEach, expect } from 'vitest';
import * as mp from 'multiproc';

const pools = new Set<mp.Pool>();
const processes = new Set<mp.Process>();

/** Keeps `pool` to be terminated after the current test, however it ends. */
export function track(pool: mp.Pool): mp.Pool {
  pools.add(pool);
  return pool;
}

/** Keeps `p` to be killed after the current test if it still runs (start() does this). */
export function owned<P extends mp.Process>(p: P): P {
  processes.add(p);
  return p;
}

async function reap(): Promise<void> {
  const open = [...pools];
  pools.clear();
  for (const pool of open) pool.terminate();
  await Promise.all(open.map((pool) => pool.join()));
  const left = [...processes].filter((p) => p.pid !== null);
  processes.clear();
  await Promise.all(left.map(async (p) => {
    try {
      p.kill();
      await p.join();
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_PROCESS_CLOSED') throw err;
    }
  }));
}

/**
 * Kills and reaps what a test left running: the processes start() or owned() registered and
 * the pools track() did. Their own children die with them (no orphans).
 */
export function useReaper(): void {
  afterEach(reap);
  afterAll(reap);
}

/** Starts `target(...args)` in a child process. */
export function start<A extends readonly unknown[]>(target: (...args: A) => unknown, args: A,
  options: Omit<mp.ProcessOptions<A>, 'target' | 'args'> = {}): mp.StartedProcess<mp.Process<A>> {
  return owned(new mp.Process({ target, args, ...options })).start();
}

/** Joins every process and expects each to have exited with code 0 (an assert in a child throws). */
export async function joinAllOk(procs: readonly mp.Process[]): Promise<void> {
  for (const p of procs) await p.join();
  expect(procs.map((p) => p.exitCode)).toEqual(procs.map(() => 0));
}

/** CPython's assertReachesEventually: polls `fn` until it returns `value`, then asserts it. */
export async function reaches<T>(fn: () => T, value: T, withinMs = 10_000): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (fn() !== value && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(fn()).toBe(value);
}

/** CPython's TimingWrapper: the result of `fn` and the milliseconds it took. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** A timed wait lasted at least `ms`, less a little clock slack (never an upper bound: the machine may be loaded). */
export function waitedAtLeast(elapsedMs: number, ms: number): void {
  expect(elapsedMs).toBeGreaterThanOrEqual(ms - 10);
}

/** The error `p` rejects with, or fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** The error `fn` throws, or fails the test if it returns. */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}
