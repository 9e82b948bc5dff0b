import { native, type NativeSegment } from '../binding.js';

/** Result of an asynchronous wait: the operation's result, or null when the timeout passed. */
type Settle = (result: number | null) => void;

const pending = new Map<number, Settle>();
let nextId = 1;
let initialised = false;

function onResults(batch: number[]): void {
  for (let i = 0; i < batch.length; i += 3) {
    const settle = pending.get(batch[i]!);
    if (!settle) continue;
    pending.delete(batch[i]!);
    settle(batch[i + 1] === 0 ? batch[i + 2]! : null);
  }
}

/**
 * Waits on a native thread of this environment's wait service; the event loop and libuv's
 * threadpool stay free. Resolves with the operation's result, or null on timeout.
 */
export function waitAsync(op: number, seg: NativeSegment, offset: number, arg: number,
  timeoutMs: number): Promise<number | null> {
  if (!initialised) {
    native.init(onResults);
    initialised = true;
  }
  const id = nextId;
  nextId = nextId >= 0xfffffff0 ? 1 : nextId + 1;
  return new Promise<number | null>((resolve, reject) => {
    try {
      native.waitAsync(id, op, seg, offset, arg, timeoutMs);
      pending.set(id, resolve);
    } catch (err) {
      reject(err);
    }
  });
}

/** Blocks the calling thread; returns the operation's result, or null on timeout. */
export function waitSync(op: number, seg: NativeSegment, offset: number, arg: number,
  timeoutMs: number): number | null {
  const r = native.waitSync(op, seg, offset, arg, timeoutMs);
  return r < 0 ? null : r;
}
