// Targets of the children in test/cpython/queue.test.ts (CPython's _TestQueue, TestSimpleQueue).

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// _TestQueue._test_put
export async function getSix(queue, childCanStart, parentCanContinue) {
  await childCanStart.wait();
  for (let i = 0; i < 6; i++) await queue.get();
  parentCanContinue.set();
}

// _TestQueue._test_get
export async function putTwoToFive(queue, childCanStart, parentCanContinue) {
  await childCanStart.wait();
  for (const i of [2, 3, 4, 5]) await queue.put(i);
  parentCanContinue.set();
}

// _TestQueue._test_fork: the child exits with these possibly still in its outbox, which it
// writes before it goes.
export async function putTenToNineteen(queue) {
  for (let i = 10; i < 20; i++) await queue.put(i);
}

// _TestQueue._test_task_done
export async function markDone(q) {
  while ((await q.get()) !== null) {
    await sleep(10);
    q.taskDone();
  }
}

// TestSimpleQueue._test_empty
export async function putEmptiness(queue, childCanStart, parentCanContinue) {
  await childCanStart.wait();
  try {
    await queue.put(queue.empty());
    await queue.put(queue.empty());
  } finally {
    parentCanContinue.set();
  }
}
