import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { spawnChild, useChildren, useShmCleanup } from './helpers/children.js';

// Lock and RLock reach their words through a WebAssembly memory that the arena is mapped over
// (lib/sync/word_ops.ts), or through Atomics where that cannot be done.

useChildren();
useShmCleanup();

async function run(args: Record<string, unknown>, fixture = 'wasm_locks.mjs'): Promise<Record<string, unknown>> {
  const child = spawnChild(fixture, args);
  const { code, signal } = await child.exited();
  expect({ code, signal, stderr: child.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
  return JSON.parse(child.lines.at(-1)!) as Record<string, unknown>;
}

describe('the locks\' WebAssembly fast path', () => {
  it('processes with and without WebAssembly count exactly under the same Lock and RLock', async () => {
    const v = mp.RawValue('i', 0);
    const w = mp.RawValue('i', 0);
    const lock = new mp.Lock();
    const rlock = new mp.RLock();
    const go = new mp.Event();
    const n = 20_000;
    const kids = ['wasm_locks.mjs', 'wasm_locks.mjs', 'no_wasm.mjs', 'no_wasm.mjs'].map((f) =>
      run({ mode: 'count', v, w, lock, rlock, n, go }, f));
    await new Promise((r) => setTimeout(r, 200));
    go.set();
    const results = await Promise.all(kids);
    expect([v.value, w.value]).toEqual([4 * n, 4 * n]);
    // The arena is mapped twice where its locks use WebAssembly, once where they use Atomics.
    expect(results.map((r) => [r.wasm, r.mappings])).toEqual([[true, 2], [true, 2], [false, 1], [false, 1]]);
    expect(lock.acquireSync({ block: false })).toBe(true);
    lock.release();
  }, 90_000);

  it('segments with locks come and go: only the first gets WebAssembly, nothing piles up', async () => {
    const r = await run({ mode: 'churn', rounds: 8, perRound: 30 });
    // Each Array of 160 kB has a segment of its own; only the first is mapped again under a
    // memory, so that the locks' call site always calls the same function.
    expect(r).toMatchObject({ wasm: true, before: 0, during: 31 });
    // A round's segments may outlive it by a round (their blocks are released by a finalizer),
    // but nothing may pile up: not mappings, nor the ~10 GiB of address space of a memory.
    const after = r.after as number[];
    const vm = r.vm as number[];
    expect(Math.max(...after)).toBeLessThanOrEqual(Math.max(after[0]!, 32));
    expect(Math.max(...vm)).toBeLessThan(vm[0]! + 5);
  }, 60_000);

  it('without address space for another memory, locks use Atomics, and recover later', async () => {
    const r = await run({ mode: 'exhaust' });
    expect(r.hogged).toBeGreaterThan(100);
    expect(r).toMatchObject({ wasm: true, starvedMappings: 1, recoveredMappings: 3 });
  }, 60_000);

  it('worker threads with arenas of their own come and go', async () => {
    const v = mp.RawValue('i', 0);
    const lock = new mp.Lock();
    const r = await run({ mode: 'workers', v, lock, n: 2_000, workers: 20 });
    expect(v.value).toBe(20 * 2_000);
    expect(r).toMatchObject({ wasm: true, after: r.before });
  }, 60_000);
});
