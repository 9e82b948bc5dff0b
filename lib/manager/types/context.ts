/**
 * What a manager's server tells a built-in managed type about each call. Built-in types (dict,
 * list, Lock, Queue...) mark themselves with `kContextual` and receive a CallContext as the first
 * argument of every exposed method; the arguments after it come from a client and must be
 * validated like any public API's.
 */

/** Marks a class whose exposed methods take a CallContext first. */
export const kContextual = Symbol('multiproc.manager.contextual');

/** Called by the server when a caller is gone (its connection closed, its process died). */
export const kCallerGone = Symbol('multiproc.manager.callerGone');

/** The call being served. */
export interface CallContext {
  /**
   * Who calls: one thread of one client process, stable across its calls. Ownership (a Lock's
   * holder, an RLock's recursion) is per caller, as Python's is per thread.
   */
  readonly caller: string;
  /** Aborted when the caller is gone: a wait ends, and nothing is owed to it any more. */
  readonly signal: AbortSignal;
  /** Keeps a managed object alive while a container stores it (no-op for any other value). */
  hold(value: unknown): void;
  /** Undoes one hold() of `value` once the container no longer stores it. */
  drop(value: unknown): void;
}

/** A managed object that cares when a caller is gone (a Lock it held is released). */
export interface CallerAware {
  [kCallerGone](caller: string): void;
}
