// Targets of test/cpython/barrier.test.ts (CPython's _TestBarrier), run by N - 1 children and
// by the test itself as the N-th party. CPython's _DummyList counters are Values ('i'):
// append is add(1), len() is load().
import * as mp from 'multiproc';

// CPython's N is 5; 3 parties keep every case's meaning (the middle one, N >> 1, is neither
// the first nor the last to arrive) with fewer processes to start on a small machine.
export const N = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(ok, what) {
  if (!ok) throw new Error(`assertion failed: ${what}`);
}

// CPython raises RuntimeError to pick the party that aborts.
class RuntimeError extends Error {}

// A party passes with wait(), or, with `sync`, with waitSync().
function pass(barrier, sync, timeout) {
  return sync ? barrier.waitSync(timeout) : barrier.wait(timeout);
}

// Waits until the others broke the barrier by timing out (CPython's late party sleeps 1 s).
async function untilBroken(barrier) {
  while (!barrier.broken) await sleep(5);
}

// _TestBarrier.multipass
export async function multipass(barrier, results0, results1, n, sync) {
  const m = barrier.parties;
  check(m === N, 'parties');
  for (let i = 0; i < n; i++) {
    results0.add(1);
    check(results1.load() === i * m, 'results1 before the first wait');
    await pass(barrier, sync);
    results1.add(1);
    check(results0.load() === (i + 1) * m, 'results0 after the first wait');
    await pass(barrier, sync);
  }
  check(barrier.nWaiting === 0, 'nWaiting');
  check(!barrier.broken, 'broken');
}

// _TestBarrier._test_wait_return_f
export async function waitReturn(barrier, queue) {
  const res = await barrier.wait();
  await queue.put(res);
}

// _TestBarrier._test_action_f, with AppendTrue(results) as the action. Functions do not
// travel: every party opens the named barrier with an action of its own, and only the last
// to arrive runs its one.
export async function actionF(name, results) {
  const barrier = new mp.Barrier(N, { name, action: () => results.add(1) });
  await barrier.wait();
  check(results.load() === 1, 'the action ran once, before anyone was released');
}

// _TestBarrier._test_abort_f
export async function abortF(barrier, results1, results2, sync) {
  try {
    const i = await pass(barrier, sync);
    if (i === N >> 1) throw new RuntimeError();
    await pass(barrier, sync);
    results1.add(1);
  } catch (err) {
    if (err instanceof mp.BrokenBarrierError) results2.add(1);
    else if (err instanceof RuntimeError) barrier.abort();
    else throw err;
  }
}

// _TestBarrier._test_reset_f
export async function resetF(barrier, results1, results2, results3) {
  const i = await barrier.wait();
  if (i === N >> 1) {
    // Wait until the other parties are all in the barrier.
    while (barrier.nWaiting < N - 1) await sleep(1);
    barrier.reset();
  } else {
    try {
      await barrier.wait();
      results1.add(1);
    } catch (err) {
      if (!(err instanceof mp.BrokenBarrierError)) throw err;
      results2.add(1);
    }
  }
  // Now, pass the barrier again.
  await barrier.wait();
  results3.add(1);
}

// _TestBarrier._test_abort_and_reset_f: _test_abort_f, then everyone passes again.
export async function abortAndResetF(barrier, barrier2, results1, results2, results3, sync) {
  await abortF(barrier, results1, results2, sync);
  // Synchronize and reset the barrier. Must synchronize first so that everyone has left it
  // when we reset, and after so that no one enters it before the reset.
  if ((await pass(barrier2, sync)) === N >> 1) barrier.reset();
  await pass(barrier2, sync);
  await pass(barrier, sync);
  results3.add(1);
}

// _TestBarrier._test_timeout_f
export async function timeoutF(barrier, results, ms) {
  const i = await barrier.wait();
  if (i === N >> 1) await untilBroken(barrier);
  try {
    await barrier.wait(ms);
  } catch (err) {
    if (!(err instanceof mp.BrokenBarrierError)) throw err;
    results.add(1);
  }
}

// _TestBarrier._test_default_timeout_f
export async function defaultTimeoutF(barrier, results) {
  const i = await barrier.wait(30_000);
  if (i === N >> 1) await untilBroken(barrier);
  try {
    await barrier.wait();
  } catch (err) {
    if (!(err instanceof mp.BrokenBarrierError)) throw err;
    results.add(1);
  }
}

// _TestBarrier._test_thousand_f
export async function thousandF(barrier, passes, conn, lock) {
  for (let i = 0; i < passes; i++) {
    await barrier.wait();
    await lock.withLock(() => conn.send(i));
  }
}
