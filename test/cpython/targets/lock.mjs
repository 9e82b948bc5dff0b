// Targets of the children in test/cpython/lock.test.ts (CPython's _TestLock), and locked():
// Python's Lock.locked() / RLock.locked(), which the API does not have, from isMine() and a try.
export function locked(lock) {
  if (lock.isMine()) return true;
  if (!lock.acquireSync({ block: false })) return true;
  lock.release();
  return false;
}

// _TestLock._test_lock_locked_2processes. The child gives the lock back before it exits, once
// the parent has looked: a holder's death is a case of its own.
export async function holdAndReport(lock, event, res, done) {
  await lock.acquire();
  res.value = Number(locked(lock));
  event.set();
  await done.wait();
  lock.release();
}
