/** The types mp.Manager() serves (Python's SyncManager), by typeid. */
import type { TypeSpec } from '../registry.js';
import { ManagedDict, ManagedList, ManagedNamespace } from './containers.js';
import { ManagedBoundedSemaphore, ManagedLock, ManagedRLock, ManagedSemaphore } from './locks.js';
import { ManagedQueue, ManagedJoinableQueue } from './queues.js';
import { ManagedBarrier, ManagedCondition, ManagedEvent } from './signals.js';
import { ManagedArray, ManagedValue } from './values.js';

export const builtinTypes: Readonly<Record<string, TypeSpec['factory']>> = {
  dict: ManagedDict, list: ManagedList, Namespace: ManagedNamespace, Value: ManagedValue,
  Array: ManagedArray, Lock: ManagedLock, RLock: ManagedRLock, Semaphore: ManagedSemaphore,
  BoundedSemaphore: ManagedBoundedSemaphore, Condition: ManagedCondition, Event: ManagedEvent,
  Barrier: ManagedBarrier, Queue: ManagedQueue, JoinableQueue: ManagedJoinableQueue,
} as unknown as Record<string, TypeSpec['factory']>;
