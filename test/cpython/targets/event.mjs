// Targets of the children in test/cpython/event.test.ts (CPython's _TestEvent).

// _TestEvent._test_event
export async function setAfter(event, ms) {
  await new Promise((r) => setTimeout(r, ms));
  event.set();
}
