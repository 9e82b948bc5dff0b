import { registerErrorClass } from './remote_error.js';

/** Base class of every error multiproc raises itself; `code` is stable across versions. */
export class MultiprocError extends Error {
  /** A stable string naming the failure. */
  readonly code: string;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A queue was empty when an item was asked for (Python's queue.Empty). */
export class Empty extends MultiprocError {
  constructor(message = 'the queue is empty') { super(message, 'ERR_QUEUE_EMPTY'); }
}

/** A bounded queue was full (Python's queue.Full). */
export class Full extends MultiprocError {
  constructor(message = 'the queue is full') { super(message, 'ERR_QUEUE_FULL'); }
}

/** A result was not ready within the timeout (Python's multiprocessing.TimeoutError). */
export class TimeoutError extends MultiprocError {
  constructor(message = 'timed out') { super(message, 'ETIMEDOUT'); }
}

/** A process-level failure (Python's multiprocessing.ProcessError). */
export class ProcessError extends MultiprocError {
  constructor(message: string, code = 'ERR_PROCESS') { super(message, code); }
}

/** The barrier was broken, reset or aborted while waiting (threading.BrokenBarrierError). */
export class BrokenBarrierError extends MultiprocError {
  constructor(message = 'the barrier is broken') { super(message, 'ERR_BROKEN_BARRIER'); }
}

/** An error raised in another process, carrying that process's stack. */
export class RemoteError extends MultiprocError {
  /** The stack as printed in the other process. */
  readonly remoteStack: string | undefined;
  constructor(message: string, remoteStack?: string) {
    super(message, 'ERR_REMOTE');
    this.remoteStack = remoteStack;
  }
}

/**
 * The lock was acquired, but its previous holder died while holding it: whatever it guarded
 * may be half-updated. The caller holds the lock when this is thrown and must release it.
 */
export class OwnerDeadError extends MultiprocError {
  constructor(message = 'the previous holder of the lock died while holding it') {
    super(message, 'EOWNERDEAD');
  }
}

/** A lock or semaphore was released more times than it was acquired, or by a non-owner. */
export class ReleaseError extends MultiprocError {
  constructor(message: string, code = 'ERR_RELEASED_TOO_MANY_TIMES') { super(message, code); }
}

/** A manager's peer did not prove it knows the authkey (Python's AuthenticationError). */
export class AuthenticationError extends MultiprocError {
  constructor(message = 'the peer did not prove it knows the authkey') { super(message, 'ERR_AUTHENTICATION'); }
}

for (const ctor of [MultiprocError, Empty, Full, TimeoutError, ProcessError, BrokenBarrierError,
  RemoteError, OwnerDeadError, ReleaseError, AuthenticationError]) {
  registerErrorClass(ctor);
}
