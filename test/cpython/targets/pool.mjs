// Task functions of the pools in test/cpython/pool.test.ts (CPython's _TestPool and friends),
// and the children that run pools of their own.
import * as mp from 'multiproc';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// sqr(x, wait=0.0, event=None), wait in ms.
export function sqr(x, wait = 0, event = null) {
  if (event !== null) return event.wait(wait).then(() => x * x);
  if (wait > 0) return sleep(wait).then(() => x * x);
  return x * x;
}

export function mul(x, y) {
  return x * y;
}

// Python's int() for CPython's map_async(int, ...): RangeError for ValueError.
export function toInt(s) {
  if (!/^[+-]?\d+$/.test(s)) throw new RangeError(`invalid literal for int() with base 10: '${s}'`);
  return Number(s);
}

export async function raiseLargeValueError(wait) {
  await sleep(wait);
  throw new RangeError('x'.repeat(1 << 20));
}

export async function sleepMs(ms) {
  await sleep(ms);
}

// _TestPool._test_traceback: RuntimeError(123) is a plain Error here.
export function throwsRuntimeError() {
  throw new Error('123'); // some comment
}

// _TestPool._test_wrapped_exception
export function throwsFoo() {
  throw new Error('foo');
}

// raising(): KeyError("key"), a RangeError here.
export function raising() {
  throw new RangeError('key');
}

export function unpickleableResult() {
  return () => 42;
}

export function sqrAndPid(x) {
  return [x * x, process.pid];
}

// TestInitializers.initializer, a shared Value for the manager's Namespace.
export function initializer(counter) {
  counter.add(1);
}

// TestStdinBadfiledescriptor._afunc / pool_in_process
export function afunc(x) {
  return x * x;
}

export async function poolInProcess() {
  const pool = new mp.Pool({ processes: 4 });
  const x = await pool.map(afunc, [1, 2, 3, 4, 5, 6, 7]);
  pool.close();
  await pool.join();
  if (x.join() !== '1,4,9,16,25,36,49') throw new Error(`map gave ${x}`);
}
