// Increments of a named RawValue under a named Lock, by processes that may be killed while they
// hold it. Each increment is journalled under the lock (the counter and the slot's count before
// it, then the slot), so the next holder can tell a half-done increment of a dead holder and roll
// it back: the counter then always equals the sum of the increments the participants completed,
// exactly, and every takeover must have been announced as an owner death.
//
// Owner death is read in both of the library's ways: OwnerDeadError thrown with the lock held
// (the old default), or acquire() succeeding with `lock.ownerDied` set (the new one).
import * as mp from 'multiproc';
import { F_DONE, F_J_COUNTER, F_J_DONE, I_HOLDER, I_JOURNAL, I_RECOVERIES, I_ROLLBACKS, LOCK_SLOTS } from './shared.mjs';

/** The named objects of the counter: the lock, the counter, and a Value counting recoveries. */
export function openLockSet(names) {
  return {
    lock: new mp.Lock({ name: names.lock }),
    counter: mp.RawValue('d', 0, { name: names.counter }),
    recoveries: mp.Value('i', 0, { name: names.recoveries }),
  };
}

function acquireSync(lock) {
  try {
    lock.acquireSync();
  } catch (err) {
    if (err instanceof mp.OwnerDeadError) return true;
    throw err;
  }
  return lock.ownerDied === true;
}

async function acquire(lock) {
  try {
    await lock.acquire();
  } catch (err) {
    if (err instanceof mp.OwnerDeadError) return true;
    throw err;
  }
  return lock.ownerDied === true;
}

function spin(us) {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}

/** Sum of the completed increments of every slot. */
export function doneTotal(f64) {
  let sum = 0;
  for (let k = 0; k < LOCK_SLOTS; k++) sum += f64[F_DONE + k];
  return sum;
}

/** A participant in the counter: `slot` is its own count's place in the control segment. */
export class LockParticipant {
  constructor(ctl, names, slot, rand) {
    this.ctl = ctl;
    this.set = openLockSet(names);
    this.slot = slot;
    this.rand = rand;
    this.reported = 0;
  }

  #violation(detail) {
    if (this.reported++ < 3) this.ctl.violation('lock', detail);
  }

  // Lock held: repair what a dead holder left, then one journalled increment.
  #increment(died) {
    const { i32, f64 } = this.ctl;
    const { counter } = this.set;
    const slot = this.slot;
    const prev = Atomics.exchange(i32, I_HOLDER, slot + 1);
    if (prev !== 0 && !died) this.#violation(`slot ${slot} got the lock while slot ${prev - 1} held it, no owner death reported`);
    if (died) {
      Atomics.add(i32, I_RECOVERIES, 1);
      this.set.recoveries.add(1);
    }
    const open = Atomics.load(i32, I_JOURNAL);
    if (open !== -1) {
      if (!died) this.#violation(`slot ${slot} found slot ${open}'s increment half done, no owner death reported`);
      counter.value = f64[F_J_COUNTER];
      f64[F_DONE + open] = f64[F_J_DONE];
      Atomics.store(i32, I_JOURNAL, -1);
      Atomics.add(i32, I_ROLLBACKS, 1);
    }
    const before = counter.value;
    const total = doneTotal(f64);
    if (before !== total) this.#violation(`counter ${before} != sum of completed increments ${total} at slot ${slot}'s acquire`);
    f64[F_J_COUNTER] = before;
    f64[F_J_DONE] = f64[F_DONE + slot];
    Atomics.store(i32, I_JOURNAL, slot);
    // Read, wait, write: a second holder at the same time would lose one of the two increments.
    const v = counter.value;
    spin(this.rand.chance(0.05) ? 200 + this.rand.int(1500) : this.rand.int(4));
    counter.value = v + 1;
    f64[F_DONE + slot] += 1;
    Atomics.store(i32, I_JOURNAL, -1);
    Atomics.store(i32, I_HOLDER, 0);
  }

  roundSync() {
    const died = acquireSync(this.set.lock);
    try {
      this.#increment(died);
    } finally {
      this.set.lock.release();
    }
  }

  async round() {
    const died = await acquire(this.set.lock);
    try {
      this.#increment(died);
    } finally {
      this.set.lock.release();
    }
  }

  /** Self-check of the checker: one increment of the counter that no participant counts. */
  cheat() {
    acquireSync(this.set.lock);
    this.set.counter.value += 1;
    this.set.lock.release();
  }
}
