// Children of test/cpython/managers.test.ts (TestSyncManagerTypes): each checks what the test
// made in the manager and exits non-zero (an uncaught error) when it is not as expected.
import assert from 'node:assert/strict';

export async function checkEvent(ev) {
  assert.equal(await ev.isSet(), true);
  assert.equal(await ev.wait({ timeout: 1000 }), true);
}

export async function checkLock(lock) {
  assert.equal(await lock.acquire(), true);
  await lock.release();
}

export async function checkRLock(lock) {
  assert.equal(await lock.acquire(), true);
  assert.equal(await lock.acquire(), true);
  await lock.release();
  await lock.release();
}

export async function checkSemaphore(sem) {
  assert.equal(await sem.acquire(), true);
  assert.equal(await sem.getValue(), 1);
  await sem.release();
}

export async function checkCondition(cond) {
  await cond.acquire();
  await cond.notify();
  await cond.release();
}

export async function checkBarrier(barrier) {
  assert.equal(await barrier.parties(), 5);
  await barrier.reset();
}

export async function checkQueue(q) {
  assert.equal(await q.qsize(), 2);
  assert.equal(await q.full(), true);
  assert.equal(await q.put('three', { block: false }).catch((e) => e.code), 'ERR_QUEUE_FULL');
  assert.equal(await q.get(), 5);
  assert.equal(await q.empty(), false);
  assert.equal(await q.get(), 6);
  assert.equal(await q.empty(), true);
}

export async function checkList(l) {
  assert.deepEqual(await l.copy(), [5]);
  assert.equal(await l.length(), 1);
  assert.equal(await l.index(5), 0);
  assert.equal(await l.count(5), 1);
  await l.append(7);
  assert.deepEqual(await l.copy(), [5, 7]);
  assert.equal(await l.pop(), 7);
  await l.clear();
  assert.equal(await l.length(), 0);
}

export async function checkDict(d) {
  assert.equal(await d.size(), 1);
  assert.equal(await d.get('foo'), 5);
  assert.deepEqual(await d.keys(), ['foo']);
  assert.deepEqual(await d.items(), [['foo', 5]]);
  assert.deepEqual(await d.copy(), { foo: 5 });
  await d.clear();
  assert.equal(await d.size(), 0);
}

export async function checkNamespace(ns) {
  assert.equal(await ns.get('x'), 0);
  assert.equal(await ns.get('y'), 1);
}

export async function checkValue(v) {
  assert.equal(await v.get(), 1);
  await v.set(2);
}

export async function checkArray(a) {
  assert.equal(await a.get(0), 0);
  assert.equal(await a.get(1), 1);
  assert.equal(await a.length(), 2);
  assert.deepEqual(await a.copy(), [0, 1]);
}
