/**
 * CPython's Lib/test/_test_multiprocessing.py, the Event cases (_TestEvent), with a real child
 * process. Timeouts are in ms; waitSync() is the blocking form.
 *
 * Skipped, and why:
 * - _TestEvent.test_repr: no repr() showing the flag (isSet() tells it).
 * - TestSyncManagerTypes.test_event: no Manager yet.
 */
import { describe, expect, it } from 'vitest';
import * as mp from 'multiproc';
import { start, timed, useReaper, waitedAtLeast } from './helpers.js';
import { setAfter } from './targets/event.mjs';

useReaper();

const TIMEOUT = 100;

describe('_TestEvent', () => {
  it('_TestEvent.test_event', async () => {
    const event = new mp.Event();
    expect(event.isSet()).toBe(false);

    expect(await event.wait(0)).toBe(false);
    expect(event.waitSync(0)).toBe(false);
    let t = await timed(() => event.wait(TIMEOUT));
    expect(t.value).toBe(false);
    waitedAtLeast(t.ms, TIMEOUT);
    t = await timed(() => event.waitSync(TIMEOUT));
    expect(t.value).toBe(false);
    waitedAtLeast(t.ms, TIMEOUT);

    event.set();
    expect(event.isSet()).toBe(true);
    expect(await event.wait()).toBe(true);
    expect(await event.wait(TIMEOUT)).toBe(true);
    expect(event.waitSync()).toBe(true);
    expect(event.waitSync(TIMEOUT)).toBe(true);

    event.clear();
    expect(event.isSet()).toBe(false);

    const p = start(setAfter, [event, TIMEOUT], { daemon: true });
    expect(await event.wait()).toBe(true);
    await p.join();
  });
});
