// Targets of the children in test/cpython/condition.test.ts (CPython's _TestCondition).

// _TestCondition.f
export async function f(cond, sleeping, woken, timeout) {
  await cond.acquire();
  sleeping.release();
  await cond.wait(timeout);
  woken.release();
  cond.release();
}

// _TestCondition._test_waitfor_f
export async function waitForFour(cond, state) {
  await cond.withLock(async () => {
    state.value = 0;
    cond.notify();
    const result = await cond.waitFor(() => state.value === 4);
    if (!result || state.value !== 4) throw new Error(`waitFor gave ${result} with state ${state.value}`);
  });
}

// _TestCondition._test_waitfor_timeout_f
export async function waitForFourInVain(cond, state, success, sem) {
  sem.release();
  await cond.withLock(async () => {
    const expected = 100;
    const t0 = performance.now();
    const result = await cond.waitFor(() => state.value === 4, expected);
    const dt = performance.now() - t0;
    if (!result && dt >= expected - 10) success.value = 1;
  });
}

// _TestCondition._test_wait_result
export async function notifyOnce(c) {
  await c.withLock(() => c.notify());
}
